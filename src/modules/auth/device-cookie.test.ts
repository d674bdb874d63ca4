import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_SECONDS, deviceOf, newDevice, rememberDevice } from './device-cookie.js';

const NONCE = 'abcdefghijklmnopqrstuv';
/** A request carrying `raw` as the device cookie, which unsigns to `value` (valid or not). */
const request = (raw: string | undefined, unsigned: { valid: boolean; value: string | null } = { valid: true, value: raw ?? null }) =>
  ({ cookies: raw === undefined ? {} : { [DEVICE_COOKIE]: raw }, unsignCookie: () => unsigned }) as unknown as FastifyRequest;

describe('the device cookie', () => {
  it('names the device a browser proved: a 22-character nonce, then the username', () => {
    expect(deviceOf(request(`${NONCE}:owner`))).toEqual({ nonce: NONCE, username: 'owner' });
    expect(deviceOf(request(`${NONCE}:sam:with:colons`))).toEqual({ nonce: NONCE, username: 'sam:with:colons' });
  });

  it('knows no device for a missing, forged, empty or malformed cookie', () => {
    expect(deviceOf(request(undefined))).toBeUndefined();
    expect(deviceOf(request(`${NONCE}:owner`, { valid: false, value: `${NONCE}:owner` }))).toBeUndefined();
    expect(deviceOf(request('x', { valid: true, value: '' }))).toBeUndefined();
    expect(deviceOf(request('x', { valid: true, value: null }))).toBeUndefined();
    expect(deviceOf(request(`${NONCE}owner`))).toBeUndefined();
    expect(deviceOf(request(`:${NONCE}:owner`))).toBeUndefined();
    expect(deviceOf(request(`${NONCE.slice(1)}:owner`))).toBeUndefined();
    expect(deviceOf(request(`${NONCE}+:owner`))).toBeUndefined();
    expect(deviceOf(request(`${NONCE}:`))).toBeUndefined();
  });

  it('is a new random nonce on each sign-in', () => {
    const one = newDevice('owner');
    expect(one).toEqual({ username: 'owner', nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect(newDevice('owner').nonce).not.toBe(one.nonce);
  });

  it('is set signed, for the sign-in page only (under BASE_PATH too), secure over HTTPS, for 180 days', () => {
    const setCookie = vi.fn();
    const reply = { setCookie } as unknown as FastifyReply;
    rememberDevice({ protocol: 'https' } as FastifyRequest, reply, { nonce: NONCE, username: 'owner' }, '/helpr');
    rememberDevice({ protocol: 'http' } as FastifyRequest, reply, { nonce: NONCE, username: 'owner' });
    expect(setCookie.mock.calls).toEqual([
      [DEVICE_COOKIE, `${NONCE}:owner`, { signed: true, httpOnly: true, sameSite: 'lax', secure: true, path: '/helpr/admin/login', maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS }],
      [DEVICE_COOKIE, `${NONCE}:owner`, { signed: true, httpOnly: true, sameSite: 'lax', secure: false, path: '/admin/login', maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS }],
    ]);
    expect(DEVICE_COOKIE_MAX_AGE_SECONDS).toBe(180 * 24 * 60 * 60);
  });
});
