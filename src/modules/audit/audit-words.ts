import { STATUS_LABELS } from '../invitations/invitation-status.js';
import type { AuditEntry } from './audit.service.js';

/**
 * Audit entries as the owner reads them: what was acted on by its name (an invite code by its
 * code, a server by its name, libraries by their titles) and the details in a sentence. The raw
 * details, ids included, stay in a disclosure on the page and in the database.
 */
export interface AuditNames {
  /** Invite codes still there, by id: their label (the code itself is never in the log: it lets people in). */
  codes: Record<string, { label: string | null; createdAt?: string }>;
  /** Library titles by local key. */
  libraries: Record<string, string>;
  /** The server in use, by its id. */
  server?: { id: string; name: string };
  /** "2026-11-24 13:00 CET" in the owner's zone. */
  time: (iso: string) => string;
}

export interface AuditWords {
  /** What was acted on, named (invite code “Family”); empty when nothing. */
  target: string;
  /** Where the owner can look at it (an invite code's page). */
  href?: string;
  /** The details as one sentence; empty when there is nothing to say. */
  summary: string;
}

// Setting names as the settings page shows them.
const FIELD_NAMES: Record<string, string> = {
  siteTitle: 'site title',
  welcomeMessage: 'welcome message',
  requireCode: 'invite code required',
  joinMode: 'who may join',
  timeZone: 'time zone',
  publicAddress: 'public address',
  joinWays: 'ways to join',
  rulesRequired: 'house rules to accept',
  rules: 'house rules',
  guide: 'guide',
  'sharing.allowSync': 'downloads',
  'sharing.allowCameraUpload': 'camera upload',
  'sharing.allowChannels': 'live TV',
  'access.days': 'days of access',
  friendEmails: 'the emails and who sends them',
  'access.startsOn': 'when access starts',
  'limits.invitesPerWindow': 'invite requests per address',
  'limits.inviteWindowMinutes': 'invite request window',
  'limits.wrongCodesPerWindow': 'wrong codes per address',
  'limits.wrongCodeWindowMinutes': 'wrong-code window',
  'limits.duplicateWindowMinutes': 'duplicate window',
};

const SECTION_NAMES: Record<string, string> = {
  site: 'Site settings',
  friendEmails: 'Emails to friends',
  invites: 'Invite settings',
  limits: 'Limits',
  time: 'Time zone',
  join: 'Join settings',
  guide: 'Guide',
  address: 'Public address',
  'plex.server': 'Plex server',
};

const JOIN_MODES: Record<string, string> = { open: 'anyone with the address', code: 'only with an invite code', approval: 'you approve each request' };
const JOIN_WAYS: Record<string, string> = { both: 'Continue with Plex or an email', plex: 'only Continue with Plex', email: 'only an email or username' };

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const sentence = (parts: Array<string | undefined | false>): string => {
  const text = parts.filter(Boolean).join('; ');
  return text ? `${text[0]!.toUpperCase()}${text.slice(1)}.` : '';
};

function libraryNames(keys: unknown, names: AuditNames): string | undefined {
  if (keys === null || keys === undefined) return undefined;
  const titles = list(keys).map((key) => names.libraries[key] ?? (/^\d+$/.test(key) ? `library ${key}` : key));
  return titles.length > 0 ? titles.join(', ') : 'no library';
}

function codeWords(entry: AuditEntry, names: AuditNames): AuditWords {
  const d = entry.details ?? {};
  const known = entry.target ? names.codes[entry.target] : undefined;
  const label = str(d.label) ?? known?.label ?? undefined;
  // Never the code itself (it lets people in): an unlabelled one is told apart by when it was made.
  const createdAt = entry.action === 'code.create' ? entry.at : known?.createdAt;
  const target = label ? `invite code “${label}”` : createdAt ? `an unlabelled invite code created ${names.time(createdAt)}` : 'an unlabelled invite code';
  const href = known && entry.target ? `/admin/codes/${encodeURIComponent(entry.target)}` : undefined;
  if (entry.action === 'code.revoke') {
    const uses = typeof d.uses === 'number' ? (d.uses === 0 ? 'never used' : d.uses === 1 ? 'used once' : `used ${d.uses} times`) : undefined;
    return { target, href, summary: sentence([uses]) };
  }
  const maxUses = d.maxUses;
  const libraries = libraryNames(d.libraries, names);
  return {
    target,
    href,
    summary: sentence([
      maxUses === null || maxUses === undefined ? 'unlimited uses' : maxUses === 1 ? 'one use' : `${String(maxUses)} uses`,
      str(d.expiresAt) ? `expires ${names.time(str(d.expiresAt)!)}` : 'never expires',
      libraries ? `gives ${libraries}` : 'gives the default libraries',
      d.custom === true && 'code chosen by hand',
    ]),
  };
}

/** The words for one entry; entries of an unknown kind fall back to `fallback` (the raw line). */
export function auditWords(entry: AuditEntry, names: AuditNames, fallback: string): AuditWords {
  const d = entry.details ?? {};
  const target = entry.target ?? '';
  const status = str(d.status) && (STATUS_LABELS as Record<string, string>)[str(d.status)!];
  switch (entry.action) {
    case 'code.create':
    case 'code.revoke':
      return codeWords(entry, names);
    case 'invitation.create':
      return { target, summary: sentence([d.source === 'api' ? 'through the API' : d.source === 'admin' ? 'from the admin area' : undefined, status && `now ${status.toLowerCase()}`]) };
    case 'invitation.retry':
    case 'invitation.approve':
    case 'invitation.decline':
      return { target, summary: sentence([status && `now ${status.toLowerCase()}`]) };
    case 'invitation.retry_failed':
      return { target: '', summary: sentence([typeof d.queued === 'number' && (d.queued === 1 ? '1 invitation queued again' : `${d.queued} invitations queued again`)]) };
    case 'access.revoke':
      return { target, summary: d.removedFromPlex === true ? 'Removed on Plex.' : d.removedFromPlex === false ? 'Plex had no share or invite for them any more.' : '' };
    case 'user.found':
      return { target, summary: sentence([d.source === 'plex' ? 'access given in Plex itself' : 'came through Helpr', d.state === 'pending' ? 'invite not accepted yet' : 'has access', libraryNames(d.libraries, names) && `libraries: ${libraryNames(d.libraries, names)}`]) };
    case 'user.libraries_changed':
      return { target, summary: sentence([`from ${libraryNames(d.from, names) ?? 'no library'} to ${libraryNames(d.to, names) ?? 'no library'}`]) };
    case 'user.libraries_set':
      return { target, summary: sentence([`now ${libraryNames(d.to, names) ?? 'no library'}`, libraryNames(d.from, names) && `was ${libraryNames(d.from, names)}`]) };
    case 'user.expiry_set':
      return { target, summary: str(d.to) ? `Access ends ${names.time(str(d.to)!)}.` : 'Access no longer ends.' };
    case 'user.removed':
    case 'user.expired':
      return { target, summary: d.removedFromPlex === false ? 'Plex had no share or invite for them any more.' : d.removedFromPlex === true ? 'Removed on Plex.' : '' };
    case 'user.action_failed':
      return { target, summary: sentence([str(d.error)]) };
    case 'user.accepted':
    case 'user.removed_in_plex':
    case 'user.shared_in_plex':
    case 'user.resent':
    case 'user.restored':
      return { target, summary: '' };
    case 'libraries.update':
      return { target: 'Libraries for new friends', summary: sentence([`new friends get ${libraryNames(d.selected, names) ?? 'no library'}`]) };
    case 'settings.update': {
      if (target === 'plex.server') return { target: 'Plex server', summary: sentence([str(d.name) ? `chose ${str(d.name)}` : 'chose another server']) };
      if (target === 'address') return { target: 'Public address', summary: d.to === null ? 'Cleared: links use the address Helpr works out.' : str(d.to) ? `Now ${str(d.to)}.` : '' };
      // The new value where it is short and says what changed most (who may join, the zone); older
      // entries without it keep the field's name alone.
      const to = (d.to ?? {}) as Record<string, unknown>;
      const newValue = (field: string): string | undefined =>
        field === 'joinMode' && str(to.joinMode)
          ? `“${JOIN_MODES[str(to.joinMode)!] ?? str(to.joinMode)}”`
          : field === 'joinWays' && str(to.joinWays)
            ? `“${JOIN_WAYS[str(to.joinWays)!] ?? str(to.joinWays)}”`
            : field === 'rulesRequired' && typeof to.rulesRequired === 'boolean'
              ? (to.rulesRequired ? 'on' : 'off')
              : field === 'timeZone'
                ? str(to.timeZone)
                : undefined;
      const fields = list(d.fields).map((field) => {
        const name = FIELD_NAMES[field] ?? field;
        const value = newValue(field);
        return value ? `${name} to ${value}` : name;
      });
      return { target: SECTION_NAMES[target] ?? target, summary: sentence([fields.length > 0 && `changed ${fields.join(', ')}`]) };
    }
    case 'setup.complete': {
      const server = names.server && names.server.id === target ? names.server.name : target ? 'your Plex server' : '';
      return { target: server, summary: sentence([str(d.joinMode) && `friends get in: ${JOIN_MODES[str(d.joinMode)!] ?? str(d.joinMode)}`]) };
    }
    case 'plex.connect':
      return { target: target ? `Plex account ${target}` : '', summary: d.method === 'pin' ? 'Signed in with Plex.' : d.method === 'token' ? 'With a pasted token.' : '' };
    case 'apikey.create':
    case 'apikey.revoke':
      return { target: target ? `API key “${target}”` : '', summary: str(d.prefix) ? `The key starting ${str(d.prefix)}.` : '' };
    default:
      return { target, summary: fallback };
  }
}
