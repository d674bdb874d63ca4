import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import type { SecretBox } from '../../security/crypto.js';
import type { AuditService } from '../audit/audit.service.js';
import { createPeriodicJob } from '../jobs/periodic-job.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import type { SettingsService } from '../settings/settings.service.js';
import { readFriendEmails } from './friend-emails.js';
import { createFriendEmailsService, FRIEND_EMAILS_KEY } from './friend-emails.service.js';
import type { SendOptions } from './channels.js';
import type { PlexOutage } from './plex-outage.js';
import { createNotificationsRepository } from './notifications.repository.js';
import { createNotificationsService } from './notifications.service.js';
import { createNotificationsPass } from './notifications.worker.js';

/** How often the outbox is looked at: a message goes out within this of the change that caused it. */
export const NOTIFICATIONS_INTERVAL_MS = 5_000;

/** Notifications (issue 14), wired for the composition root: the channels, the outbox worker and its job. */
export function createNotificationsModule(deps: {
  db: Db;
  settingsRepository: SettingsRepository;
  box: SecretBox;
  audit: AuditService;
  settings: SettingsService;
  /** BASE_URL, which wins over the settings' public address for links in messages. */
  baseUrl: string | undefined;
  /** Plex's outage notice, looked at with each pass. */
  outage?: PlexOutage;
  clock: Clock;
  logger: Logger;
  send?: SendOptions;
}) {
  const repository = createNotificationsRepository(deps.db);
  const friendEmails = async () => readFriendEmails(await deps.settingsRepository.get(FRIEND_EMAILS_KEY));
  const baseUrl = async () => deps.baseUrl ?? (await deps.settings.get()).publicAddress ?? undefined;
  const deliver = createNotificationsPass({ repository, box: deps.box, settings: deps.settings, baseUrl, clock: deps.clock, logger: deps.logger, send: deps.send, friendEmails });
  const notificationsPass = async () => {
    await deps.outage?.check();
    return deliver();
  };
  return {
    notifications: createNotificationsService({ repository, box: deps.box, audit: deps.audit, settings: deps.settings, clock: deps.clock, baseUrl, send: deps.send }),
    friendEmails: createFriendEmailsService({ settings: deps.settingsRepository, read: friendEmails, channels: repository, audit: deps.audit, clock: deps.clock }),
    notificationsPass,
    notificationsJob: createPeriodicJob({ name: 'notifications', intervalMs: NOTIFICATIONS_INTERVAL_MS, logger: deps.logger, run: notificationsPass }),
  };
}
