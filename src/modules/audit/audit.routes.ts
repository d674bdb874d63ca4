import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { loadNearestPage, pageCount, pageFromQuery } from '../../paging.js';
import { formatTime } from '../../time-format.js';
import type { AuditEntry } from './audit.service.js';
import { auditNames } from './audit-names.js';
import { auditWords } from './audit-words.js';

export const AUDIT_PER_PAGE = 50;

/** The filter choices: an action prefix and how the menu names it. Only these reach the query. */
export const AUDIT_FILTERS: ReadonlyArray<readonly [string, string]> = [
  ['login', 'Sign-ins'],
  ['logout', 'Sign-outs'],
  ['password', 'Password changes'],
  ['settings', 'Settings'],
  ['libraries', 'Libraries'],
  ['plex', 'Plex connection'],
  ['code', 'Invite codes'],
  ['invitation', 'Invitations'],
  ['access', 'Access revoked'],
  ['user', 'Users (sync with Plex)'],
  ['apikey', 'API keys'],
  ['setup', 'Setup'],
];

const LABELS: Record<string, string> = {
  'login.success': 'Signed in',
  'login.failure': 'Sign-in failed',
  logout: 'Signed out',
  'password.change': 'Changed the admin password',
  'settings.update': 'Changed settings',
  'libraries.update': 'Changed the libraries for new friends',
  'plex.connect': 'Connected Plex',
  'code.create': 'Created an invite code',
  'code.revoke': 'Revoked an invite code',
  'invitation.create': 'Invited someone',
  'invitation.retry': 'Retried an invitation',
  'invitation.retry_failed': 'Retried all failed invitations',
  'invitation.approve': 'Approved a request',
  'invitation.decline': 'Declined a request',
  'access.revoke': 'Revoked Plex access',
  'user.found': 'Found in Plex',
  'user.accepted': 'Accepted the invite',
  'user.removed_in_plex': 'No longer has access in Plex',
  'user.shared_in_plex': 'Has access again in Plex',
  'user.libraries_changed': 'Libraries changed in Plex',
  'user.removed': 'Removed access',
  'user.expired': 'Access ended (expiry)',
  'user.libraries_set': "Changed someone's libraries",
  'user.resent': 'Sent an invite again',
  'user.restored': 'Gave access back',
  'user.expiry_set': 'Set when access ends',
  'user.action_failed': "A change to someone's access failed",
  'notifications.channel_create': 'Added a notification channel',
  'notifications.channel_update': 'Changed a notification channel',
  'notifications.channel_delete': 'Removed a notification channel',
  'notifications.resend': 'Sent a notification again',
  'apikey.create': 'Created an API key',
  'apikey.revoke': 'Revoked an API key',
  'setup.admin': 'Created the admin account',
  'setup.complete': 'Finished setup',
};

const MAX_DETAILS = 160;

/** Details on one short line: `fields: siteTitle, limits.invitesPerWindow; prefix: hk_abc`. */
export function compactDetails(details: AuditEntry['details']): string {
  if (!details) return '';
  const parts = Object.entries(details).map(([key, value]) => {
    const shown = Array.isArray(value) ? value.join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
    return `${key}: ${shown}`;
  });
  const line = parts.join('; ');
  return line.length > MAX_DETAILS ? `${line.slice(0, MAX_DETAILS - 1)}…` : line;
}


/** /admin/audit: newest first, 50 a page, filtered by kind of action. */
export async function auditRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  app.get<{ Querystring: { page?: unknown; action?: unknown } }>('/admin/audit', async (request, reply) => {
    const action = AUDIT_FILTERS.find(([prefix]) => prefix === request.query.action)?.[0];
    const { page, result } = await loadNearestPage(pageFromQuery(request.query.page), AUDIT_PER_PAGE, (wanted) =>
      opts.deps.services.audit.list({ page: wanted, perPage: AUDIT_PER_PAGE, action }),
    );
    const { entries, total } = result;
    const names = await auditNames(entries, opts.deps.services, request.ownerTimeZone);
    return reply.page('pages/admin/audit', {
      title: 'Audit log',
      section: '/admin/audit',
      entries: entries.map((entry) => ({ ...entry, label: LABELS[entry.action] ?? entry.action, when: formatTime(entry.at, request.ownerTimeZone, { seconds: true }), summary: compactDetails(entry.details), words: auditWords(entry, names, compactDetails(entry.details)), raw: entry.details ? JSON.stringify(entry.details) : '' })),
      total,
      page,
      pages: pageCount(total, AUDIT_PER_PAGE),
      action,
      filters: AUDIT_FILTERS,
    });
  });
}
