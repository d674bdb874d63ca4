import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../clock.js';
import type { AdminsRepository } from '../admins/admins.repository.js';
import type { ApiKeysService } from '../api-keys/api-keys.service.js';
import { actorOf, requireAdmin, requireApiKey, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, startAdminSession } from './auth.guard.js';

// The guards on their own, with a session object and a clock: the limits to the millisecond.

const T0 = Date.parse('2026-11-24T12:00:00.000Z');
const MINUTE = 60_000;

function fakeSession(values: { adminId?: string; loginAt?: number; seenAt?: number }) {
  // Like @fastify/session, a new session gets a new cookie with the plugin's options.
  const session = { ...values, cookie: { path: '/helpr' }, destroy: vi.fn(async () => undefined), regenerate: vi.fn(async () => void (session.cookie = { path: '/' })) };
  return session;
}

function setup(values: { adminId?: string; loginAt?: number; seenAt?: number }, options: { method?: string; url?: string; route?: string; adminExists?: boolean; role?: 'owner' | 'viewer' } = {}) {
  const clock = fixedClock(new Date(T0));
  const admins = { findById: vi.fn(async (id: string) => (options.adminExists === false ? undefined : { id, username: 'owner', role: options.role ?? 'owner' })) } as unknown as AdminsRepository;
  const session = fakeSession(values);
  const request = { session, method: options.method ?? 'GET', url: options.url ?? '/admin/invitations?page=2', routeOptions: { url: options.route ?? '/admin/invitations' } } as unknown as FastifyRequest;
  const redirect = vi.fn(() => 'redirected');
  const reply = { redirect } as unknown as FastifyReply;
  const guard = requireAdmin({ admins, clock });
  return { clock, admins, session, request, redirect, run: () => guard(request, reply) };
}

describe('admin session limits', () => {
  it('SESSION limits are 30 minutes idle and 12 hours in all', () => {
    expect(SESSION_IDLE_MS).toBe(30 * MINUTE);
    expect(SESSION_ABSOLUTE_MS).toBe(12 * 60 * MINUTE);
  });

  it('lets a live session in and says who the admin is', async () => {
    const t = setup({ adminId: 'a1', loginAt: T0 - MINUTE, seenAt: T0 - MINUTE });
    await t.run();
    expect(t.request.admin).toEqual({ id: 'a1', username: 'owner', role: 'owner' });
    expect(t.admins.findById).toHaveBeenCalledWith('a1');
    expect(t.redirect).not.toHaveBeenCalled();
  });

  it('lets a viewer read every page and change only their own sign-out and password', async () => {
    const live = { adminId: 'a1', loginAt: T0 - MINUTE, seenAt: T0 - MINUTE };
    await expect(setup(live, { role: 'viewer' }).run()).resolves.toBeUndefined();
    await expect(setup(live, { role: 'viewer', method: 'HEAD' }).run()).resolves.toBeUndefined();
    for (const method of ['POST', 'PATCH', 'DELETE']) {
      await expect(setup(live, { role: 'viewer', method, route: '/admin/codes/:id/revoke' }).run()).rejects.toMatchObject({ code: 'auth.viewer', status: 403 });
    }
    await expect(setup(live, { role: 'viewer', method: 'POST', route: '/admin/logout' }).run()).resolves.toBeUndefined();
    await expect(setup(live, { role: 'viewer', method: 'POST', route: '/admin/settings/password' }).run()).resolves.toBeUndefined();
    await expect(setup(live, { role: 'owner', method: 'POST', route: '/admin/codes/:id/revoke' }).run()).resolves.toBeUndefined();
  });

  it('ends a session idle for 30 minutes, not one idle a millisecond less', async () => {
    const fresh = setup({ adminId: 'a1', loginAt: T0 - 40 * MINUTE, seenAt: T0 - SESSION_IDLE_MS + 1 });
    await fresh.run();
    expect(fresh.request.admin).toBeDefined();
    const idle = setup({ adminId: 'a1', loginAt: T0 - 40 * MINUTE, seenAt: T0 - SESSION_IDLE_MS });
    await idle.run();
    expect(idle.request.admin).toBeUndefined();
    expect(idle.session.destroy).toHaveBeenCalled();
    expect(idle.redirect).toHaveBeenCalledWith('/admin/login?next=%2Fadmin%2Finvitations%3Fpage%3D2', 303);
  });

  it('ends a session 12 hours after sign-in even when the admin was active all along', async () => {
    const almost = setup({ adminId: 'a1', loginAt: T0 - SESSION_ABSOLUTE_MS + 1, seenAt: T0 - MINUTE });
    await almost.run();
    expect(almost.request.admin).toBeDefined();
    const over = setup({ adminId: 'a1', loginAt: T0 - SESSION_ABSOLUTE_MS, seenAt: T0 - MINUTE });
    await over.run();
    expect(over.request.admin).toBeUndefined();
    expect(over.admins.findById).not.toHaveBeenCalled();
    expect(over.session.destroy).toHaveBeenCalled();
  });

  it('keeps an active admin signed in: each request more than a minute after the last one moves the idle limit', async () => {
    const t = setup({ adminId: 'a1', loginAt: T0 - 2 * 60 * MINUTE, seenAt: T0 - 20 * MINUTE });
    await t.run();
    expect(t.session.seenAt).toBe(T0);
    // 25 minutes later: 45 minutes after the first request, but only 25 after the last one.
    t.clock.advance(25 * MINUTE);
    await t.run();
    expect(t.request.admin).toBeDefined();
    expect(t.session.destroy).not.toHaveBeenCalled();
  });

  it('writes the time seen at most once a minute', async () => {
    const recent = setup({ adminId: 'a1', loginAt: T0 - 5 * MINUTE, seenAt: T0 - MINUTE });
    await recent.run();
    expect(recent.session.seenAt).toBe(T0 - MINUTE);
    const older = setup({ adminId: 'a1', loginAt: T0 - 5 * MINUTE, seenAt: T0 - MINUTE - 1 });
    await older.run();
    expect(older.session.seenAt).toBe(T0);
  });

  it('treats a session without times as ended', async () => {
    const t = setup({ adminId: 'a1' });
    await t.run();
    expect(t.request.admin).toBeUndefined();
    expect(t.session.destroy).toHaveBeenCalled();
  });

  it('refuses a session whose admin was deleted', async () => {
    const t = setup({ adminId: 'gone', loginAt: T0, seenAt: T0 }, { adminExists: false });
    await t.run();
    expect(t.request.admin).toBeUndefined();
    expect(t.session.destroy).toHaveBeenCalled();
  });

  it('sends a visitor without a session to sign in, keeping nothing to destroy', async () => {
    const get = setup({}, { method: 'HEAD', url: '/admin' });
    await get.run();
    expect(get.redirect).toHaveBeenCalledWith('/admin/login?next=%2Fadmin', 303);
    expect(get.session.destroy).not.toHaveBeenCalled();
  });

  it('answers a form or API call without a session with 401 instead of a redirect', async () => {
    const t = setup({}, { method: 'POST', url: '/admin/settings' });
    await expect(t.run()).rejects.toMatchObject({ code: 'auth.required', status: 401, message: 'Your session has ended. Sign in again.' });
    expect(t.redirect).not.toHaveBeenCalled();
  });

  it('never redirects outside the admin area after sign-in', async () => {
    const t = setup({}, { url: '//evil.example/admin' });
    await t.run();
    expect(t.redirect).toHaveBeenCalledWith(expect.stringMatching(/^\/admin\/login\?next=%2Fadmin/), 303);
  });
});

describe('starting a session', () => {
  it('takes a new session id and records the admin and the sign-in time', async () => {
    const session = fakeSession({});
    await startAdminSession({ session, headers: { 'user-agent': 'Firefox' }, ip: '192.0.2.7' } as unknown as FastifyRequest, { id: 'a1', username: 'owner' }, T0);
    expect(session.regenerate).toHaveBeenCalled();
    expect(session).toMatchObject({ adminId: 'a1', username: 'owner', loginAt: T0, seenAt: T0, userAgent: 'Firefox', ip: '192.0.2.7' });
    // Its cookie stays where the old one was (BASE_PATH).
    expect(session.cookie.path).toBe('/helpr');
  });
});

describe('API keys', () => {
  function apiSetup(authorization: string | undefined) {
    const verify = vi.fn(async (key: string) => (key === 'good-key' ? { id: 'k1', name: 'ci' } : undefined));
    const header = vi.fn();
    const request = { headers: { authorization } } as unknown as FastifyRequest;
    const guard = requireApiKey({ apiKeys: { verify } as unknown as ApiKeysService });
    return { verify, header, request, run: () => guard(request, { header } as unknown as FastifyReply) };
  }

  it('accepts "Bearer <key>" with a valid key, whatever the case of Bearer', async () => {
    for (const value of ['Bearer good-key', 'bearer   good-key']) {
      const t = apiSetup(value);
      await t.run();
      expect(t.request.apiKey).toEqual({ id: 'k1', name: 'ci' });
      expect(t.verify).toHaveBeenCalledWith('good-key');
    }
  });

  it('refuses a missing, malformed or unknown key with 401 and WWW-Authenticate', async () => {
    for (const value of [undefined, 'good-key', 'Basic good-key', 'Bearer good-key extra', 'Bearer bad-key', 'xBearer good-key']) {
      const t = apiSetup(value);
      await expect(t.run(), String(value)).rejects.toMatchObject({ code: 'auth.api_key_required', status: 401 });
      expect(t.header).toHaveBeenCalledWith('www-authenticate', 'Bearer');
      expect(t.request.apiKey).toBeUndefined();
    }
  });
});

describe('actorOf', () => {
  it('names the admin, the API key, or nobody, with the address', () => {
    expect(actorOf({ admin: { id: 'a1', username: 'owner' }, ip: '1.2.3.4' } as unknown as FastifyRequest)).toEqual({ name: 'owner', type: 'admin', ip: '1.2.3.4' });
    expect(actorOf({ apiKey: { name: 'ci' }, ip: '1.2.3.4' } as unknown as FastifyRequest)).toEqual({ name: 'api key ci', type: 'api', ip: '1.2.3.4' });
    expect(actorOf({ ip: '1.2.3.4' } as unknown as FastifyRequest)).toEqual({ name: null, type: 'anonymous', ip: '1.2.3.4' });
  });
});
