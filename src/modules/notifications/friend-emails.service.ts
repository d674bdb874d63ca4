import { isoNow, type Clock } from '../../clock.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import { FRIEND_MESSAGES, friendEmail, parseFriendEmailsForm, type FriendEmailSettings } from './friend-emails.js';
import type { NotificationsRepository } from './notifications.repository.js';

export const FRIEND_EMAILS_KEY = 'friendEmails';

/** Made-up values for the previews on the Notifications page. */
const SAMPLE = { name: 'alex@example.com', link: 'https://invite.example.com/requests/Xy7…', date: '2027-01-15 18:00', guide: '(your guide for friends, from Settings)' };

/** The owner's emails to friends: read, saved (audited), and previewed with made-up values. */
export function createFriendEmailsService(deps: {
  settings: SettingsRepository;
  read: () => Promise<FriendEmailSettings>;
  channels: Pick<NotificationsRepository, 'listChannels'>;
  audit: AuditService;
  clock: Clock;
}) {
  const emailChannels = async () => (await deps.channels.listChannels()).filter((channel) => channel.type === 'email');
  return {
    get: deps.read,
    emailChannels,

    async save(form: Record<string, unknown>, actor: AuditActor): Promise<FriendEmailSettings> {
      const settings = parseFriendEmailsForm(form, (await emailChannels()).map((channel) => channel.id));
      await deps.settings.set(FRIEND_EMAILS_KEY, settings, isoNow(deps.clock));
      await deps.audit.record(actor, 'settings.update', 'friendEmails', { fields: ['friendEmails'], on: settings.channelId === null ? [] : FRIEND_MESSAGES.filter((key) => settings.messages[key].enabled) });
      return settings;
    },

    /** Each email as a friend would read it, with made-up values and the site's title. */
    preview(settings: FriendEmailSettings, siteTitle: string) {
      const values = { ...SAMPLE, site: siteTitle, owner: settings.ownerName || siteTitle };
      return Object.fromEntries(FRIEND_MESSAGES.map((key) => [key, friendEmail(settings, key, values)]));
    },
  };
}

export type FriendEmailsService = ReturnType<typeof createFriendEmailsService>;
