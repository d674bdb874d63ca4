import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import { passwordProblem } from '../../security/password.js';
import type { AdminRow } from '../admins/admins.repository.js';
import { createAdminsRepository } from '../admins/admins.repository.js';
import { createAdminsService, type AdminsService } from '../admins/admins.service.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import { isJoinMode } from '../settings/join-mode.js';
import { createSettingsRepository } from '../settings/settings.repository.js';
import type { SettingsService } from '../settings/settings.service.js';
import { canonicalTimeZone } from '../../time-zone.js';

/** The settings key whose first writer becomes the first admin (see createFirstAdmin). */
const FIRST_ADMIN_CLAIM = 'setup.firstAdminClaim';

export const SETUP_STEPS = {
  plex: '/admin/setup/plex',
  server: '/admin/setup/server',
  libraries: '/admin/setup/libraries',
  done: '/admin/setup/done',
} as const;

export class SetupClosedError extends AppError {
  constructor() {
    super('setup.closed', 'Helpr is already set up: sign in instead.', { status: 409 });
  }
}

/**
 * The first-run wizard: the first admin (only while there is none), then the step that is still
 * open (Plex, server, libraries), then the finish.
 */
export function createSetupWizard(deps: {
  db: Db;
  clock: Clock;
  admins: AdminsService;
  connection: PlexConnection;
  audit: AuditService;
  settings: Pick<SettingsService, 'update'>;
  onComplete: () => void;
}) {
  return {
    isOpen: async (): Promise<boolean> => !(await deps.admins.hasAdmin()),

    /**
     * Creates the first admin. Two forms sent at once must not make two admins, so the claim and
     * the insert are one transaction: the claim is a conditional insert on a primary key (the loser
     * waits for the winner's commit and then finds the key taken); a failed insert rolls it back.
     */
    async createFirstAdmin(input: { username: string; password: string; repeat: string; timeZone?: string; ip?: string | null }): Promise<AdminRow> {
      if (await deps.admins.hasAdmin()) throw new SetupClosedError();
      // Asked on the same page (prefilled from the browser); a form without the field leaves it to Settings.
      const timeZone = input.timeZone === undefined ? undefined : canonicalTimeZone(input.timeZone);
      if (input.timeZone !== undefined && !timeZone) {
        throw new AppError('setup.invalid_time_zone', 'Choose a time zone from the list.', { fields: { timeZone: 'Choose a time zone from the list.' } });
      }
      const problem = passwordProblem(input.password);
      if (problem) throw new AppError('admin.weak_password', problem, { fields: { password: problem } });
      if (input.password !== input.repeat) {
        throw new AppError('admin.password_mismatch', 'The two passwords differ.', { fields: { repeat: 'The two passwords differ.' } });
      }
      const claim = crypto.randomUUID();
      const admin = await deps.db.transaction().execute(async (trx) => {
        const admins = createAdminsRepository(trx);
        const winner = await createSettingsRepository(trx).setIfAbsent(FIRST_ADMIN_CLAIM, claim, isoNow(deps.clock));
        // An admin made another way (ADMIN_USERNAME, the CLI) closes the setup as well.
        if (winner !== claim || (await admins.count()) > 0) throw new SetupClosedError();
        return createAdminsService({ admins, clock: deps.clock }).createAdmin({ username: input.username, password: input.password });
      });
      if (timeZone) await deps.settings.update({ timeZone });
      // The first entry of the audit log: who set Helpr up, from where.
      await deps.audit.record({ name: admin.username, type: 'admin', ip: input.ip ?? null }, 'setup.admin', admin.username);
      return admin;
    },

    /** The first step not done yet; what the environment configures counts as done. */
    async openStep(): Promise<string> {
      const state = await deps.connection.state();
      if (!state.token) return SETUP_STEPS.plex;
      if (!state.serverId) return SETUP_STEPS.server;
      return SETUP_STEPS.libraries;
    },

    /** Finishes with the owner's answer to "how do friends get in?" (join-mode.ts), asked on the last page. */
    async complete(actor: AuditActor, joinMode: unknown): Promise<void> {
      if (!isJoinMode(joinMode)) {
        throw new AppError('setup.join_mode_missing', 'Choose how friends get in.', { fields: { joinMode: 'Choose how friends get in.' } });
      }
      const state = await deps.connection.state();
      if (!state.token || !state.serverId) {
        throw new AppError('setup.plex_missing', 'Connect Plex and choose a server before finishing.', { status: 409 });
      }
      await deps.settings.update({ joinMode });
      deps.onComplete();
      await deps.audit.record(actor, 'setup.complete', state.serverId, { joinMode });
    },
  };
}

export type SetupWizard = ReturnType<typeof createSetupWizard>;
