import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_SECONDS } from '../../src/modules/auth/device-cookie.js';
import { LOGIN_LIMITS } from '../../src/modules/auth/auth.service.js';
import { ADMIN_PASSWORD } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { deviceCookieOf, postLogin, QUEUE_REFUSAL, throttleTestApp } from '../helpers/login-attempts.js';

/**
 * Device cookies (OWASP): the browser the owner signed in with before gets in at once while an
 * attack slows the username down; nothing else (another user's cookie, a forged one, a device
 * that keeps failing) gets past the queue.
 */
describe('admin sign-in from a known browser during an attack', () => {
  let t: TestApp;
  let sleeps: number[];
  let ownerDevice: string;
  let secondDevice: string;
  beforeAll(async () => {
    ({ t, sleeps } = await throttleTestApp({ TRUST_PROXY: '1' }));
    ownerDevice = deviceCookieOf(await postLogin(t.app, { username: 'owner', password: ADMIN_PASSWORD, address: '192.0.2.1' }));
    secondDevice = deviceCookieOf(await postLogin(t.app, { username: 'second', password: ADMIN_PASSWORD, address: '192.0.2.2' }));
    // The attack: guesses for `owner` from many addresses at once fill the queue past its bound.
    for (let n = 1; n <= 20; n += 1) expect((await postLogin(t.app, { username: 'owner', address: `198.51.100.${n}` })).statusCode).toBe(401);
  });
  afterAll(() => t.close());

  /** One attempt and the waits it asked for. */
  const timed = async (attempt: Parameters<typeof postLogin>[1]) => {
    const before = sleeps.length;
    const response = await postLogin(t.app, attempt);
    return { status: response.statusCode, response, waits: sleeps.slice(before) };
  };
  const right = { username: 'owner', password: ADMIN_PASSWORD };

  it('gives a signed, HttpOnly, SameSite=Lax cookie for the sign-in form alone, kept 180 days, Secure over HTTPS', async () => {
    const plain = await postLogin(t.app, { ...right, address: '192.0.2.3', cookie: ownerDevice });
    const cookie = plain.cookies.find((c) => c.name === DEVICE_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/admin/login', maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS });
    expect(cookie.secure).toBeFalsy();
    expect(decodeURIComponent(cookie.value)).toMatch(/^[\w-]{22}:owner\.[\w+/=-]+$/); // nonce:username.signature
    expect(`${DEVICE_COOKIE}=${cookie.value}`).not.toBe(ownerDevice); // a new nonce on every sign-in
    const https = await postLogin(t.app, { ...right, address: '192.0.2.3', headers: { 'x-forwarded-proto': 'https' } });
    expect(https.cookies.find((c) => c.name === DEVICE_COOKIE)!.secure).toBe(true);
  });

  it('lets the owner’s browser in at once, even from a network that failed, while others there are refused', async () => {
    // The queue is past its bound: without the cookie, an address that failed is refused...
    const without = await timed({ ...right, address: '198.51.100.1' });
    expect(without.status).toBe(429);
    expect(without.response.body).toMatch(QUEUE_REFUSAL);
    // ...and a clean one waits the longest wait (never refused).
    const clean = await timed({ ...right, address: '203.0.113.50' });
    expect(clean.status).toBe(303);
    expect(clean.waits).toEqual([LOGIN_LIMITS.maxQueueWaitMs]);

    for (const address of ['198.51.100.1', '203.0.113.51']) {
      const known = await timed({ ...right, address, cookie: ownerDevice });
      expect(known.status).toBe(303);
      expect(known.waits).toEqual([]);
    }
  });

  it('gives no way past the queue with another username’s cookie, an unsigned cookie or a forged one', async () => {
    const [nonceAndUser, signature] = decodeURIComponent(secondDevice.slice(DEVICE_COOKIE.length + 1)).split('.') as [string, string];
    const nonce = nonceAndUser.split(':')[0]!;
    const forged = [
      secondDevice, // signed, but for `second`
      `${DEVICE_COOKIE}=${encodeURIComponent(`${nonce}:owner`)}`, // unsigned
      `${DEVICE_COOKIE}=${encodeURIComponent(`${nonce}:owner.${signature}`)}`, // another value's signature
      `${DEVICE_COOKIE}=${encodeURIComponent(`${nonce}:owner.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)}`,
    ];
    for (const cookie of forged) {
      const attempt = await timed({ ...right, address: '198.51.100.2', cookie });
      expect(attempt.status, cookie).toBe(429);
      expect(attempt.waits).toEqual([]);
    }
    // The cookie does help the username it was issued for.
    expect((await timed({ username: 'second', password: ADMIN_PASSWORD, address: '198.51.100.2', cookie: secondDevice })).status).toBe(303);
  });

  it('stops skipping the queue for a device after 10 failures', async () => {
    const device = deviceCookieOf(await postLogin(t.app, { ...right, address: '203.0.113.60', cookie: ownerDevice }));
    for (let n = 1; n <= LOGIN_LIMITS.perDevice; n += 1) {
      const guess = await timed({ username: 'owner', address: `203.0.113.${60 + n}`, cookie: device });
      expect(guess.status).toBe(401);
      expect(guess.waits).toEqual([]); // not slowed down: limited per device instead
    }
    const fromClean = await timed({ username: 'owner', address: '203.0.113.80', cookie: device });
    expect(fromClean.waits).toEqual([LOGIN_LIMITS.maxQueueWaitMs]); // queued like anyone
    expect((await timed({ ...right, address: '198.51.100.3', cookie: device })).status).toBe(429);
    // Another known browser of the owner still gets in at once.
    const other = await timed({ ...right, address: '198.51.100.3', cookie: ownerDevice });
    expect([other.status, other.waits]).toEqual([303, []]);
  });
});
