import type { Migration } from 'kysely';
import { initialSchema } from './0001-initial-schema.js';
import { invitationErrorKind } from './0002-invitation-error-kind.js';
import { invitationDailyCounts } from './0003-invitation-daily-counts.js';
import { invitationUnconfirmedSince } from './0004-invitation-unconfirmed-since.js';
import { invitationApprovedAt } from './0005-invitation-approved-at.js';
import { joinWithPlex } from './0006-join-with-plex.js';
import { plexUsers } from './0007-plex-users.js';
import { userActions } from './0008-user-actions.js';
import { accessTerms } from './0009-access-terms.js';
import { notifications } from './0010-notifications.js';
import { adminRoles } from './0011-admin-roles.js';
import { adminInvites } from './0012-admin-invites.js';

/** The static, ordered migration list: the one tree for both dialects. Append, never edit. */
export const migrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
  '0002-invitation-error-kind': invitationErrorKind,
  '0003-invitation-daily-counts': invitationDailyCounts,
  '0004-invitation-unconfirmed-since': invitationUnconfirmedSince,
  '0005-invitation-approved-at': invitationApprovedAt,
  '0006-join-with-plex': joinWithPlex,
  '0007-plex-users': plexUsers,
  '0008-user-actions': userActions,
  '0009-access-terms': accessTerms,
  '0010-notifications': notifications,
  '0011-admin-roles': adminRoles,
  '0012-admin-invites': adminInvites,
};
