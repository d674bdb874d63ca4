import type { Db } from './db/database.js';
import { createAdminInvitesRepository } from './modules/admins/admin-invites.js';
import { createAdminsRepository } from './modules/admins/admins.repository.js';
import { createSessionsRepository } from './modules/sessions/sessions.repository.js';
import { createSettingsRepository } from './modules/settings/settings.repository.js';
import { createInvitationsRepository } from './modules/invitations/invitations.repository.js';
import { createFriendTokensRepository } from './modules/invitations/friend-tokens.repository.js';
import { createInviteCodesRepository } from './modules/invite-codes/invite-codes.repository.js';
import { createAuditRepository } from './modules/audit/audit.repository.js';
import { createApiKeysRepository } from './modules/api-keys/api-keys.repository.js';
import { createUsersRepository } from './modules/users/users.repository.js';
import { createNotificationsRepository } from './modules/notifications/notifications.repository.js';

/** The repositories over the one database that several services share (deps.ts hands them out). */
export function createRepositories(db: Db) {
  return {
    admins: createAdminsRepository(db),
    adminInvites: createAdminInvitesRepository(db),
    sessions: createSessionsRepository(db),
    settings: createSettingsRepository(db),
    invitations: createInvitationsRepository(db),
    friendTokens: createFriendTokensRepository(db),
    inviteCodes: createInviteCodesRepository(db),
    audit: createAuditRepository(db),
    apiKeys: createApiKeysRepository(db),
    users: createUsersRepository(db),
    notifications: createNotificationsRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
