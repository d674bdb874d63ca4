import type { SharingOptions } from '../../plex/plex-sharing.client.js';

/**
 * How long a friend's access lasts (issue 13): `days` (null: for as long as the owner keeps it)
 * counted from when the friend accepts the invite, or from when Helpr sends it. Codes can carry
 * their own terms and permissions; otherwise the default settings apply. A request keeps the terms
 * it was made under (a later change of the settings does not shorten or lengthen it).
 */
export type AccessStart = 'accepted' | 'sent';
export const ACCESS_STARTS: readonly AccessStart[] = ['accepted', 'sent'];

export interface AccessTerms {
  days: number | null;
  startsOn: AccessStart;
}

export const DEFAULT_ACCESS: AccessTerms = { days: null, startsOn: 'accepted' };
/** Ten years: longer is "forever", which is what an empty field says. */
export const MAX_ACCESS_DAYS = 3650;
const DAY_MS = 86_400_000;

export const isAccessStart = (value: unknown): value is AccessStart => value === 'accepted' || value === 'sent';

/** Stored terms (a row's access_days/access_starts): undefined when the row has none of its own. */
export function storedTerms(days: number | null | undefined, startsOn: string | null | undefined): AccessTerms | undefined {
  if (!isAccessStart(startsOn)) return undefined;
  return { days: days === null || days === undefined ? null : Number(days), startsOn };
}

/** What the rows store for terms: both null when there are none of their own. */
export const termColumns = (terms: AccessTerms | null | undefined) => ({ access_days: terms?.days ?? null, access_starts: terms?.startsOn ?? null });

/**
 * When access under `terms` ends: `days` after the invite was sent or after the friend accepted it.
 * Undefined while that moment is not known yet (not sent, not accepted) or when access is forever.
 */
export function accessEnd(terms: AccessTerms | undefined, moments: { sentAt: string | null; acceptedAt: string | null }): string | undefined {
  if (!terms || terms.days === null) return undefined;
  const start = terms.startsOn === 'sent' ? moments.sentAt : moments.acceptedAt;
  if (start === null) return undefined;
  return new Date(new Date(start).getTime() + terms.days * DAY_MS).toISOString();
}

/** "30 days from when they accept", "Forever": the owner's words for terms. */
export function describeTerms(terms: AccessTerms): string {
  if (terms.days === null) return 'Forever';
  const days = terms.days === 1 ? '1 day' : `${terms.days} days`;
  return terms.startsOn === 'sent' ? `${days} from when the invite is sent` : `${days} from when they accept`;
}

export type Permissions = SharingOptions;
export const PERMISSION_LABELS: Record<keyof Permissions, string> = {
  allowSync: 'Downloads',
  allowChannels: 'Live TV',
  allowCameraUpload: 'Camera upload',
};
export const PERMISSION_KEYS = Object.keys(PERMISSION_LABELS) as Array<keyof Permissions>;

/** Stored permissions (JSON) read back; undefined for none or anything that is not the three flags. */
export function storedPermissions(json: string | null | undefined): Permissions | undefined {
  if (!json) return undefined;
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    return { allowSync: parsed.allowSync === true, allowChannels: parsed.allowChannels === true, allowCameraUpload: parsed.allowCameraUpload === true };
  } catch {
    return undefined;
  }
}

/** plex.tv's sharingSettings (booleans in JSON, "1"/"0" in XML-shaped data) as the three flags. */
export function permissionsOf(settings: Record<string, unknown> | null | undefined): Permissions | null {
  if (!settings) return null;
  const flag = (value: unknown) => value === true || value === 1 || value === '1' || value === 'true';
  return { allowSync: flag(settings.allowSync), allowChannels: flag(settings.allowChannels), allowCameraUpload: flag(settings.allowCameraUpload) };
}

/** "Downloads, Live TV" or "None": what someone may do beyond watching. */
export function describePermissions(permissions: Permissions): string {
  const allowed = PERMISSION_KEYS.filter((key) => permissions[key]).map((key) => PERMISSION_LABELS[key]);
  return allowed.length > 0 ? allowed.join(', ') : 'None';
}
