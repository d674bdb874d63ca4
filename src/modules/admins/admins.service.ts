import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { hashPassword, passwordProblem } from '../../security/password.js';
import type { AuditAction, AuditActor, AuditService } from '../audit/audit.service.js';
import { checkRole, type AdminRole } from './admin-roles.js';
import type { AdminRow, AdminsRepository } from './admins.repository.js';

const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{3,64}$/;

export const normalizeUsername = (username: string): string => username.trim().toLowerCase();

function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new AppError('admin.invalid_username', 'A username is 3 to 64 letters, digits, dots, dashes, underscores or @.', {
      fields: { username: 'Use 3 to 64 letters, digits, dots, dashes, underscores or @.' },
    });
  }
}

function checkPassword(password: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new AppError('admin.weak_password', `Password too weak: ${problem}`, { fields: { password: problem } });
}

export interface AdminView {
  id: string;
  username: string;
  role: AdminRole;
  createdAt: string;
}

const viewOf = (admin: AdminRow): AdminView => ({ id: admin.id, username: admin.username, role: admin.role, createdAt: admin.created_at });

const notFound = (what: string) => new AppError('admin.not_found', `No admin ${what}.`, { status: 404 });
const lastOwner = () => new AppError('admin.last_owner', 'Helpr needs at least one owner: make another admin an owner first.', { status: 409 });

export function createAdminsService(deps: { admins: AdminsRepository; clock: Clock; audit?: AuditService }) {
  const { admins, clock } = deps;
  const audit = (actor: AuditActor | undefined, action: AuditAction, target: string, details?: Record<string, unknown>) => (actor && deps.audit ? deps.audit.record(actor, action, target, details) : Promise.resolve());

  return {
    hasAdmin: async (): Promise<boolean> => (await admins.count()) > 0,

    /** A new admin (an owner unless `role` says otherwise); audited when `actor` made it. */
    async createAdmin(input: { username: string; password: string; role?: AdminRole }, actor?: AuditActor): Promise<AdminRow> {
      const username = input.username.trim();
      checkUsername(username);
      const role = checkRole(input.role ?? 'owner');
      checkPassword(input.password);
      if (await admins.findByUsername(normalizeUsername(username))) {
        throw new AppError('admin.duplicate_username', `An admin named "${username}" already exists.`, {
          status: 409,
          fields: { username: 'This username is taken.' },
        });
      }
      const now = isoNow(clock);
      const admin: AdminRow = {
        id: crypto.randomUUID(),
        username,
        username_normalized: normalizeUsername(username),
        password_hash: await hashPassword(input.password),
        created_at: now,
        updated_at: now,
        password_changed_at: now,
        role,
      };
      try {
        await admins.insert(admin);
      } catch (error) {
        // Two creators racing: the unique index decides, and the loser hears the same message.
        if (await admins.findByUsername(admin.username_normalized)) {
          throw new AppError('admin.duplicate_username', `An admin named "${username}" already exists.`, { status: 409, cause: error });
        }
        throw error;
      }
      await audit(actor, 'admin.create', username, { role });
      return admin;
    },

    async resetPassword(input: { username: string; password: string }, actor?: AuditActor): Promise<AdminRow> {
      checkPassword(input.password);
      const admin = await admins.findByUsername(normalizeUsername(input.username));
      if (!admin) throw notFound(`named "${input.username.trim()}"`);
      await admins.updatePassword(admin.id, await hashPassword(input.password), isoNow(clock));
      await audit(actor, 'admin.password_reset', admin.username);
      return admin;
    },

    list: async (): Promise<AdminView[]> => (await admins.list()).map(viewOf),

    /** Another role for an admin; the last owner stays an owner. */
    async setRole(id: string, wanted: unknown, actor: AuditActor): Promise<AdminView> {
      const role = checkRole(wanted);
      const admin = await admins.findById(id);
      if (!admin) throw notFound('with this id');
      if (admin.role === role) return viewOf(admin);
      if (admin.role === 'owner' && (await admins.countOwners()) <= 1) throw lastOwner();
      await admins.setRole(id, role, isoNow(clock));
      await audit(actor, 'admin.role_change', admin.username, { from: admin.role, to: role });
      return { ...viewOf(admin), role };
    },

    /** Removes an admin (never oneself, never the last owner), signing them out everywhere. */
    async remove(id: string, actor: AuditActor & { adminId?: string }): Promise<AdminView> {
      const admin = await admins.findById(id);
      if (!admin) throw notFound('with this id');
      if (admin.id === actor.adminId) throw new AppError('admin.remove_self', 'You cannot remove yourself: another owner can.', { status: 409 });
      if (admin.role === 'owner' && (await admins.countOwners()) <= 1) throw lastOwner();
      await admins.remove(id);
      await audit(actor, 'admin.remove', admin.username, { role: admin.role });
      return viewOf(admin);
    },

    /** ADMIN_USERNAME/ADMIN_PASSWORD: create that admin at start, only while there is none. */
    async ensureConfiguredAdmin(configured: { username: string; password: string } | undefined): Promise<AdminRow | undefined> {
      if (!configured || (await admins.count()) > 0) return undefined;
      return this.createAdmin(configured);
    },
  };
}

export type AdminsService = ReturnType<typeof createAdminsService>;
