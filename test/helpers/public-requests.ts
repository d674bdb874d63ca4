import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import type { Deps } from '../../src/deps.js';
import type { LoggedRequest, PlexSimulator } from '../../tools/plex-sim/index.js';
import { csrfFrom } from './app.js';

export interface RequestFields {
  email?: string;
  code?: string;
}

/** Posts the friend's request form as a browser would: CSRF cookie and token from the page first. */
export async function submitRequest(app: FastifyInstance, fields: RequestFields, options: { ip?: string } = {}) {
  const { cookie, token } = await csrfFrom(app, '/');
  const form: Record<string, string> = { _csrf: token };
  if (fields.email !== undefined) form.email = fields.email;
  if (fields.code !== undefined) form.code = fields.code;
  return app.inject({
    method: 'POST',
    url: '/',
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(form).toString(),
  });
}

/** The request id a successful submission redirects to (303, `/requests/<22-char id>`). */
export function requestIdOf(response: { statusCode: number; headers: Record<string, unknown>; body: string }): string {
  expect(response.statusCode, response.body).toBe(303);
  const match = /^\/requests\/([A-Za-z0-9_-]{22})$/.exec(String(response.headers.location));
  expect(match, `redirect to ${String(response.headers.location)}`).not.toBeNull();
  return match![1]!;
}

/** Submits, follows the redirect and returns the id and the result page. */
export async function submitAndFollow(app: FastifyInstance, fields: RequestFields, options: { ip?: string } = {}) {
  const id = requestIdOf(await submitRequest(app, fields, options));
  const page = await app.inject(`/requests/${id}`);
  return { id, page };
}

/** Invite POSTs the simulator received (v1 `/api/servers/:mid/shared_servers` or v2 `/api/v2/shared_servers`). */
export function sharePosts(sim: PlexSimulator): LoggedRequest[] {
  return sim.control.requestLog({ method: 'POST' }).filter((entry) => /\/shared_servers$/.test(entry.path));
}

/** The plex.tv section ids one logged invite carried, whichever API version it used. */
export function sharedLibraryIds(entry: LoggedRequest): number[] | undefined {
  const body = entry.body as { shared_server?: { library_section_ids?: number[] }; librarySectionIds?: number[] } | undefined;
  return body?.shared_server?.library_section_ids ?? body?.librarySectionIds;
}

export function invitationRows(deps: Deps) {
  return deps.database.db.selectFrom('invitations').selectAll().execute();
}

/** Text a friend should never see: stack frames, file paths, error class names. */
export function expectNoInternals(body: string): void {
  expect(body).not.toMatch(/\bat [^\s]+ \(|\.(?:ts|js):\d+|node_modules|AppError|PlexError|TypeError|\bstack\b/);
}

/** The visible text of a page, without tags, with whitespace collapsed (messages wrap across lines). */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
