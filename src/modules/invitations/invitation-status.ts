import type { InvitationStatus } from '../../db/schema.js';

/** How each status reads in the admin area. */
export const STATUS_LABELS: Record<InvitationStatus, string> = {
  pending: 'Pending',
  sent: 'Sent',
  already_shared: 'Already shared',
  failed: 'Failed',
  revoked: 'Revoked',
};

/** Bootstrap badge classes; the dashboard chart uses the same colours for its bars. */
export const STATUS_BADGES: Record<InvitationStatus, string> = {
  pending: 'text-bg-warning',
  sent: 'text-bg-success',
  already_shared: 'text-bg-info',
  failed: 'text-bg-danger',
  revoked: 'text-bg-secondary',
};
