import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from './app.js';

export const ADMIN_PASSWORD = 'a long enough password';

export interface AdminSession {
  /** Cookie header value carrying the session and the CSRF secret. */
  cookie: string;
  csrf: string;
  get(url: string, options?: Omit<InjectOptions, 'url' | 'method'>): Promise<LightMyRequestResponse>;
  /** A form POST with the CSRF token added. */
  post(url: string, form?: Record<string, string | string[]>, options?: Omit<InjectOptions, 'url' | 'method' | 'payload'>): Promise<LightMyRequestResponse>;
}

function cookieHeader(responses: LightMyRequestResponse[]): string {
  const jar = new Map<string, string>();
  for (const response of responses) for (const c of response.cookies) jar.set(c.name, c.value);
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

export function encodeForm(form: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  return params.toString();
}

/** Signs in through the real login form (an admin `owner` must exist) and returns a browser-like session. */
export async function signIn(app: FastifyInstance, username = 'owner', password = ADMIN_PASSWORD, remoteAddress = '127.0.0.1'): Promise<AdminSession> {
  const page = await app.inject({ url: '/admin/login', remoteAddress });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!token) throw new Error(`no login form (status ${page.statusCode})`);
  const login = await app.inject({
    method: 'POST',
    url: '/admin/login',
    remoteAddress,
    headers: { cookie: cookieHeader([page]), 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm({ username, password, _csrf: token, next: '/admin' }),
  });
  if (login.statusCode !== 303) throw new Error(`login failed with ${login.statusCode}: ${login.body.slice(0, 300)}`);
  const cookie = cookieHeader([page, login]);
  const session: AdminSession = {
    cookie,
    csrf: token,
    get: (url, options = {}) => app.inject({ ...options, method: 'GET', url, remoteAddress, headers: { ...options.headers, cookie } }),
    post: (url, form = {}, options = {}) =>
      app.inject({
        ...options,
        method: 'POST',
        url,
        remoteAddress,
        headers: { ...options.headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: encodeForm({ _csrf: token, ...form }),
      }),
  };
  return session;
}

/** A new app with the admin `owner`, signed in through the login form. */
export async function signedInTestApp(): Promise<{ t: TestApp; session: AdminSession }> {
  const t = await createTestApp();
  await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
  return { t, session: await signIn(t.app) };
}
