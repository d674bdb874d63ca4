import { isoNow, type Clock } from '../../clock.js';
import { DEFAULT_ACCESS, isAccessStart, MAX_ACCESS_DAYS, type AccessTerms } from '../access/access-terms.js';
import type { SharingOptions } from '../../plex/plex-sharing.client.js';
import { canonicalTimeZone } from '../../time-zone.js';
import { createCachedValue } from './cached-value.js';
import { storedJoinMode, type JoinMode } from './join-mode.js';
import { DEFAULT_JOIN_SETTINGS, storedJoinSettings, type JoinSettings } from './join-settings.js';
import type { SettingsRepository } from './settings.repository.js';

/** How long each instance keeps settings in memory; another instance's change is seen within it. */
export const SETTINGS_TTL_MS = 5000;

export interface InviteLimits {
  /** Invite requests per client address per window. */
  invitesPerWindow: number;
  inviteWindowMinutes: number;
  /** Wrong invite codes per client address per window (counted apart from requests). */
  wrongCodesPerWindow: number;
  wrongCodeWindowMinutes: number;
  /** The same email or username again within this window shows the earlier request. */
  duplicateWindowMinutes: number;
}

/** The join settings (join-settings.ts): join ways, the friends' guide, the house rules. */
export interface AppSettings extends JoinSettings {
  siteTitle: string;
  welcomeMessage: string;
  /** Who may ask for access (join-mode.ts); replaces the older `requireCode` flag. */
  joinMode: JoinMode;
  sharing: SharingOptions;
  /** How long new friends' access lasts (codes may say otherwise); days null = forever. */
  access: AccessTerms;
  /** Local keys (or titles) of the libraries new friends get. Empty: nothing is sent. */
  libraries: string[];
  limits: InviteLimits;
  /** The owner's IANA time zone for showing and typing times; null until chosen (UTC meanwhile). */
  timeZone: string | null;
  /** Where friends open Helpr (invite links, QR codes); BASE_URL wins over it. Null: not set. */
  publicAddress: string | null;
}

export const DEFAULT_SETTINGS: AppSettings = {
  siteTitle: 'Plex invites',
  welcomeMessage: 'Want to watch with us? Ask for access here and our libraries show up in your Plex apps.',
  // Unset means what Helpr did before join modes (no code needed); the setup wizard asks, suggesting 'code'.
  joinMode: 'open',
  sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false },
  access: DEFAULT_ACCESS,
  libraries: [],
  limits: { invitesPerWindow: 5, inviteWindowMinutes: 15, wrongCodesPerWindow: 10, wrongCodeWindowMinutes: 15, duplicateWindowMinutes: 10 },
  timeZone: null,
  publicAddress: null,
  ...DEFAULT_JOIN_SETTINGS,
};

export type SettingsOverrides = { limits?: Partial<InviteLimits> };

// Only INVITE_RATE_LIMIT overrides stored settings (see config.ts); the admin area names it.
const OVERRIDE_VARIABLES: Record<keyof SettingsOverrides, string> = { limits: 'INVITE_RATE_LIMIT' };

/** The stored default terms, or the defaults for anything unreadable. */
function storedAccess(value: unknown): AccessTerms {
  const stored = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof AccessTerms, unknown>>;
  const days = Number.isInteger(stored.days) && (stored.days as number) >= 1 && (stored.days as number) <= MAX_ACCESS_DAYS ? (stored.days as number) : null;
  return { days, startsOn: isAccessStart(stored.startsOn) ? stored.startsOn : DEFAULT_ACCESS.startsOn };
}

/**
 * Typed settings over the key/value table, with defaults. Reads are cached in memory for `ttlMs`
 * (no database read per request); a write here clears the cache at once, and other instances see
 * it within `ttlMs`. Values from the environment override what is stored.
 */
export function createSettingsService(deps: { settings: SettingsRepository; clock: Clock; overrides?: SettingsOverrides; ttlMs?: number }) {
  async function load(): Promise<AppSettings> {
    const stored = (await deps.settings.getAll()) as Partial<Record<keyof AppSettings | 'requireCode', unknown>>;
    return {
      siteTitle: (stored.siteTitle as string) ?? DEFAULT_SETTINGS.siteTitle,
      welcomeMessage: (stored.welcomeMessage as string) ?? DEFAULT_SETTINGS.welcomeMessage,
      joinMode: storedJoinMode(stored, DEFAULT_SETTINGS.joinMode),
      sharing: { ...DEFAULT_SETTINGS.sharing, ...(stored.sharing as Partial<SharingOptions>) },
      access: storedAccess(stored.access),
      libraries: (stored.libraries as string[]) ?? DEFAULT_SETTINGS.libraries,
      limits: { ...DEFAULT_SETTINGS.limits, ...(stored.limits as Partial<InviteLimits>), ...deps.overrides?.limits },
      // A zone this runtime no longer knows (another instance's newer time zone data) counts as unset.
      timeZone: canonicalTimeZone(stored.timeZone) ?? DEFAULT_SETTINGS.timeZone,
      publicAddress: typeof stored.publicAddress === 'string' ? stored.publicAddress : DEFAULT_SETTINGS.publicAddress,
      ...storedJoinSettings(stored),
    };
  }
  const cache = createCachedValue(load, { ttlMs: deps.ttlMs ?? SETTINGS_TTL_MS, clock: deps.clock });

  async function update(patch: Partial<AppSettings>): Promise<AppSettings> {
    const at = isoNow(deps.clock);
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) await deps.settings.set(key, value, at);
    }
    cache.clear();
    return cache.get();
  }

  return {
    get: cache.get,

    update,

    /**
     * Changes some limits and keeps the others as stored. Limits the environment decides are not
     * written: the stored value must survive for when the variable is removed.
     */
    async updateLimits(patch: Partial<InviteLimits>): Promise<AppSettings> {
      const stored = (await deps.settings.get<Partial<InviteLimits>>('limits')) ?? {};
      const fromEnvironment = deps.overrides?.limits ?? {};
      const writable = Object.fromEntries(Object.entries(patch).filter(([key]) => !(key in fromEnvironment)));
      return update({ limits: { ...DEFAULT_SETTINGS.limits, ...stored, ...writable } });
    },

    /** Which settings the environment decides (shown as such in the admin area). */
    overridden: (): SettingsOverrides => deps.overrides ?? {},

    /** The environment variable behind each overridden setting, by dotted path ("limits.inviteWindowMinutes"). */
    sources(): Record<string, string> {
      const sources: Record<string, string> = {};
      for (const key of Object.keys(deps.overrides?.limits ?? {})) sources[`limits.${key}`] = OVERRIDE_VARIABLES.limits;
      return sources;
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
