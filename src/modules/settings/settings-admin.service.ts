import type { ApiKeysService, ApiKeyView } from '../api-keys/api-keys.service.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { PlexConnection, ValueSource } from '../plex/plex-connection.service.js';
import { changedFields, parseSettingsForm, type FormBody, type SettingsSection } from './settings-input.js';
import type { JoinMode } from './join-mode.js';
import type { AppSettings, SettingsService } from './settings.service.js';

/** What the settings page shows. Never the Plex token: only where it comes from. */
export interface SettingsOverview {
  settings: AppSettings;
  /** The environment variable deciding a setting, by dotted path ("limits.invitesPerWindow"). */
  sources: Record<string, string>;
  plex: { tokenSource: ValueSource; serverId: string | undefined; serverIdSource: ValueSource; serverUrl: string | undefined; serverName: string | undefined };
  /** Set when PLEX_LIBRARIES replaces the library selection at every start. */
  librariesFromEnvironment: boolean;
  apiKeys: ApiKeyView[];
}

type AuditedValues = Partial<Pick<AppSettings, 'joinMode' | 'timeZone' | 'joinWays' | 'rulesRequired'>>;

/**
 * The new values the audit log shows in words: only who may join, the ways to join, whether rules
 * must be accepted and the time zone (short, chosen from a list, and the changes that matter most
 * when friends suddenly can or cannot get in). Free text (site title, welcome message, guide,
 * rules) stays out: the log names the field alone.
 */
function auditedValues(changed: string[], after: AppSettings): { to?: AuditedValues } {
  const to: AuditedValues = {};
  if (changed.includes('joinMode')) to.joinMode = after.joinMode;
  if (changed.includes('timeZone')) to.timeZone = after.timeZone;
  if (changed.includes('joinWays')) to.joinWays = after.joinWays;
  if (changed.includes('rulesRequired')) to.rulesRequired = after.rulesRequired;
  return Object.keys(to).length > 0 ? { to } : {};
}

/** The admin's settings page: one read for the whole page, and audited saves of each section. */
export function createSettingsAdmin(deps: {
  settings: SettingsService;
  audit: AuditService;
  apiKeys: ApiKeysService;
  plexConnection: PlexConnection;
  environmentLibraries: string[] | undefined;
}) {
  return {
    async overview(): Promise<SettingsOverview> {
      const [settings, state, apiKeys] = await Promise.all([deps.settings.get(), deps.plexConnection.state(), deps.apiKeys.list()]);
      return {
        settings,
        sources: deps.settings.sources(),
        plex: { tokenSource: state.tokenSource, serverId: state.serverId, serverIdSource: state.serverIdSource, serverUrl: state.serverUrl, serverName: state.serverName },
        librariesFromEnvironment: deps.environmentLibraries !== undefined,
        apiKeys,
      };
    },

    /** Saves one section's form (or throws naming the fields at fault); returns what changed. */
    async save(section: SettingsSection, body: FormBody, actor: AuditActor): Promise<string[]> {
      const change = parseSettingsForm(section, body, deps.settings.sources());
      const before = await deps.settings.get();
      let after = before;
      if (Object.keys(change.settings).length > 0) after = await deps.settings.update(change.settings);
      if (Object.keys(change.limits).length > 0) after = await deps.settings.updateLimits(change.limits);
      const changed = changedFields(before, after);
      if (changed.length > 0) await deps.audit.record(actor, 'settings.update', section, { fields: changed, ...auditedValues(changed, after) });
      return changed;
    },

    /** Who may join, from the API (the settings page saves it with the invites section). Audited when it changed. */
    async setJoinMode(joinMode: JoinMode, actor: AuditActor): Promise<JoinMode> {
      const before = await deps.settings.get();
      if (before.joinMode === joinMode) return joinMode;
      const after = await deps.settings.update({ joinMode });
      await deps.audit.record(actor, 'settings.update', 'invites', { fields: ['joinMode'], ...auditedValues(['joinMode'], after) });
      return after.joinMode;
    },
  };
}

export type SettingsAdmin = ReturnType<typeof createSettingsAdmin>;
