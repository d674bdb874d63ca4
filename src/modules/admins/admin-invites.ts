import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import type { AdminInvitesTable } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { randomId, sha256 } from '../../security/crypto.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { checkRole, type AdminRole } from './admin-roles.js';
import type { AdminRow } from './admins.repository.js';

/** How long an admin invite link works. */
export const ADMIN_INVITE_DAYS = 7;
const DAY_MS = 86_400_000;

export function createAdminInvitesRepository(db: Db) {
  return {
    async insert(row: AdminInvitesTable): Promise<void> {
      await db.insertInto('admin_invites').values(row).execute();
    },
    findByHash(tokenHash: string): Promise<AdminInvitesTable | undefined> {
      return db.selectFrom('admin_invites').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    /** Links not used yet and not expired, newest first. */
    open(now: string): Promise<AdminInvitesTable[]> {
      return db.selectFrom('admin_invites').selectAll().where('used_at', 'is', null).where('expires_at', '>', now).orderBy('created_at', 'desc').execute();
    },
    /** Takes the link for one new admin; false when it was used (or revoked) meanwhile. */
    async use(id: string, username: string, now: string): Promise<boolean> {
      const result = await db.updateTable('admin_invites').set({ used_at: now, used_by: username }).where('id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /** Gives a taken link back (the admin could not be made with it: a name taken, a weak password). */
    async reopen(id: string): Promise<void> {
      await db.updateTable('admin_invites').set({ used_at: null, used_by: null }).where('id', '=', id).execute();
    },
    async revoke(id: string, now: string): Promise<boolean> {
      const result = await db.updateTable('admin_invites').set({ expires_at: now }).where('id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type AdminInvitesRepository = ReturnType<typeof createAdminInvitesRepository>;

export interface AdminInviteView {
  id: string;
  role: AdminRole;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
}

const gone = () => new AppError('admin_invite.gone', 'This admin link has been used, was withdrawn or has expired. Ask an owner for a new one.', { status: 410 });

/**
 * One-time links for new admins (issue 17): an owner makes one for a role, sends it, and the new
 * admin picks their own name and password with it. The token is shown once; only its hash is kept.
 */
export function createAdminInvitesService(deps: {
  invites: AdminInvitesRepository;
  createAdmin: (input: { username: string; password: string; role: AdminRole }, actor: AuditActor) => Promise<AdminRow>;
  audit: AuditService;
  clock: Clock;
}) {
  const view = (row: AdminInvitesTable): AdminInviteView => ({ id: row.id, role: row.role, createdBy: row.created_by, createdAt: row.created_at, expiresAt: row.expires_at });

  /** The link's row while it still works. */
  async function usable(token: string): Promise<AdminInvitesTable> {
    const row = await deps.invites.findByHash(sha256(token));
    if (!row || row.used_at !== null || row.expires_at <= isoNow(deps.clock)) throw gone();
    return row;
  }

  return {
    async create(wanted: unknown, actor: AuditActor): Promise<{ token: string; invite: AdminInviteView }> {
      const role = checkRole(wanted);
      const token = randomId(32);
      const now = deps.clock.now();
      const row: AdminInvitesTable = { id: crypto.randomUUID(), token_hash: sha256(token), role, created_by: actor.name, created_at: now.toISOString(), expires_at: new Date(now.getTime() + ADMIN_INVITE_DAYS * DAY_MS).toISOString(), used_at: null, used_by: null };
      await deps.invites.insert(row);
      await deps.audit.record(actor, 'admin.invite_create', null, { role });
      return { token, invite: view(row) };
    },

    open: async (): Promise<AdminInviteView[]> => (await deps.invites.open(isoNow(deps.clock))).map(view),

    async revoke(id: string, actor: AuditActor): Promise<void> {
      if (!(await deps.invites.revoke(id, isoNow(deps.clock)))) throw gone();
      await deps.audit.record(actor, 'admin.invite_revoke', null, {});
    },

    /** What the link's page says before the new admin fills it in. */
    async check(token: string): Promise<AdminInviteView> {
      return view(await usable(token));
    },

    /** The new admin, made once with the link's role; the link is taken first, so two tabs make one admin. */
    async accept(token: string, input: { username: string; password: string; ip: string | null }): Promise<AdminRow> {
      const row = await usable(token);
      const actor: AuditActor = { name: input.username.trim(), type: 'admin', ip: input.ip };
      if (!(await deps.invites.use(row.id, input.username.trim(), isoNow(deps.clock)))) throw gone();
      try {
        return await deps.createAdmin({ username: input.username, password: input.password, role: row.role }, actor);
      } catch (error) {
        // A name taken or a weak password: the link works again for a second try.
        await deps.invites.reopen(row.id);
        throw error;
      }
    },
  };
}

export type AdminInvitesService = ReturnType<typeof createAdminInvitesService>;
