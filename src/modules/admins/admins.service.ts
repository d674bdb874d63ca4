import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { hashPassword, passwordProblem } from '../../security/password.js';
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

export function createAdminsService(deps: { admins: AdminsRepository; clock: Clock }) {
  const { admins, clock } = deps;

  return {
    hasAdmin: async (): Promise<boolean> => (await admins.count()) > 0,

    async createAdmin(input: { username: string; password: string }): Promise<AdminRow> {
      const username = input.username.trim();
      checkUsername(username);
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
      return admin;
    },

    async resetPassword(input: { username: string; password: string }): Promise<AdminRow> {
      checkPassword(input.password);
      const admin = await admins.findByUsername(normalizeUsername(input.username));
      if (!admin) throw new AppError('admin.not_found', `No admin named "${input.username.trim()}".`, { status: 404 });
      await admins.updatePassword(admin.id, await hashPassword(input.password), isoNow(clock));
      return admin;
    },

    /** ADMIN_USERNAME/ADMIN_PASSWORD: create that admin at start, only while there is none. */
    async ensureConfiguredAdmin(configured: { username: string; password: string } | undefined): Promise<AdminRow | undefined> {
      if (!configured || (await admins.count()) > 0) return undefined;
      return this.createAdmin(configured);
    },
  };
}

export type AdminsService = ReturnType<typeof createAdminsService>;
