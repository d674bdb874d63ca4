import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { csrfFrom } from './app.js';

/** Posts the Continue with Plex form as a browser would (CSRF from the page); `json` as the script does. */
export async function startPlexJoin(app: FastifyInstance, form: Record<string, string> = {}, options: { json?: boolean; ip?: string; from?: string } = {}) {
  const { cookie, token } = await csrfFrom(app, options.from ?? '/');
  return app.inject({
    method: 'POST',
    url: '/join-with-plex',
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(options.json ? { accept: 'application/json' } : {}) },
    payload: new URLSearchParams({ _csrf: token, ...form }).toString(),
  });
}

/** The sign-in id and plex.tv PIN code of a no-JS start (303 to app.plex.tv with forwardUrl back). */
export function startedFrom(response: { statusCode: number; headers: Record<string, unknown>; body: string }): { id: string; pinCode: string; location: string } {
  expect(response.statusCode, response.body).toBe(303);
  const location = String(response.headers.location);
  const pinCode = /[?&]code=([^&]+)/.exec(location)?.[1];
  const forward = decodeURIComponent(/[?&]forwardUrl=([^&]+)/.exec(location)?.[1] ?? '');
  const id = /\/join-with-plex\/([A-Za-z0-9_-]{22})\/return$/.exec(forward)?.[1];
  expect(pinCode && id, location).toBeTruthy();
  return { id: id!, pinCode: pinCode!, location };
}

/** POSTs a form to `url` with a fresh CSRF cookie and token (as from the start page). */
export async function postForm(app: FastifyInstance, url: string, form: Record<string, string> = {}, options: { json?: boolean; ip?: string } = {}) {
  const { cookie, token } = await csrfFrom(app, '/');
  return app.inject({
    method: 'POST',
    url,
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...(options.json ? { accept: 'application/json' } : {}) },
    payload: new URLSearchParams({ _csrf: token, ...form }).toString(),
  });
}
