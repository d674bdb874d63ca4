import type { InvitationStatus } from '../../db/schema.js';

/** How each status reads in the admin area. */
export const STATUS_LABELS: Record<InvitationStatus, string> = {
  awaiting_approval: 'Waiting for approval',
  pending: 'Pending',
  sent: 'Sent',
  accepted: 'Accepted',
  already_shared: 'Already shared',
  already_invited: 'Invite waiting',
  failed: 'Failed',
  declined: 'Declined',
  revoked: 'Revoked',
};

/** Bootstrap badge classes; the dashboard chart uses the same colours for its bars. */
export const STATUS_BADGES: Record<InvitationStatus, string> = {
  awaiting_approval: 'text-bg-primary',
  pending: 'text-bg-warning',
  sent: 'text-bg-success',
  // Darker green than sent: the friend can watch now, nothing is left for them to do.
  accepted: 'text-bg-success border border-dark',
  already_shared: 'text-bg-info',
  // Cyan outline: like already shared, but nobody has access until the invite is accepted.
  already_invited: 'text-bg-light border border-info',
  failed: 'text-bg-danger',
  // Light with a border: readable on the light and the dark theme, and apart from revoked.
  declined: 'text-bg-light border',
  revoked: 'text-bg-secondary',
};
