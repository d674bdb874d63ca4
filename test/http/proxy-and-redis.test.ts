import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { deleteKeysUnder, keysUnder, testRedisPrefix } from '../helpers/redis.js';
import { serviceAvailable, TEST_REDIS_URL } from '../helpers/services.js';

async function formCookie(t: TestApp, headers: Record<string, string>, remoteAddress = '127.0.0.1') {
  const response = await t.app.inject({ url: '/test/form', headers, remoteAddress });
  return response.cookies.find((c) => c.name === 'helpr_csrf')!;
}

async function withForm(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestApp(env);
  t.app.get('/test/form', async (_request, reply) => reply.send(reply.csrfToken()));
  t.app.get('/test/ip', async (request) => ({ ip: request.ip, protocol: request.protocol }));
  await t.app.ready();
  return t;
}

describe('TRUST_PROXY', () => {
  let direct: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    direct = await withForm();
    proxied = await withForm({ TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  it('ignores X-Forwarded-* unless configured', async () => {
    const headers = { 'x-forwarded-for': '198.51.100.7', 'x-forwarded-proto': 'https' };
    expect((await direct.app.inject({ url: '/test/ip', headers, remoteAddress: '10.0.0.2' })).json()).toEqual({ ip: '10.0.0.2', protocol: 'http' });
    expect((await proxied.app.inject({ url: '/test/ip', headers, remoteAddress: '10.0.0.2' })).json()).toEqual({ ip: '198.51.100.7', protocol: 'https' });
  });

  it('marks cookies Secure only when the request came over HTTPS', async () => {
    expect((await formCookie(proxied, { 'x-forwarded-proto': 'https' })).secure).toBe(true);
    expect((await formCookie(proxied, {})).secure).toBeFalsy();
    expect((await formCookie(direct, { 'x-forwarded-proto': 'https' })).secure).toBeFalsy();
  });
});

describe.runIf(serviceAvailable('Redis', TEST_REDIS_URL !== undefined))('with REDIS_URL', () => {
  const prefix = testRedisPrefix();
  // Someone else's key in the same Redis database: the tests must leave it alone.
  const bystander = `${testRedisPrefix()}bystander`;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await withForm({ REDIS_URL: TEST_REDIS_URL!, REDIS_KEY_PREFIX: prefix });
    await a.deps.redis!.set(bystander, 'not yours', 'EX', 600);
    b = await withForm({ REDIS_URL: TEST_REDIS_URL!, REDIS_KEY_PREFIX: prefix });
  });
  afterAll(async () => {
    await a?.deps.redis?.del(bystander);
    await a?.close();
    await b?.close();
    await deleteKeysUnder(TEST_REDIS_URL!, prefix);
  });

  it('reports Redis in readiness', async () => {
    expect((await a.app.inject('/readyz')).json()).toEqual({ ready: true, checks: { database: 'ok', database_write: 'ok', redis: 'ok' } });
  });

  it('counts rate limits once across instances', async () => {
    const remoteAddress = '203.0.113.77';
    for (let i = 0; i < 15; i += 1) {
      expect((await a.app.inject({ url: `/a/${i}`, remoteAddress })).statusCode).toBe(404);
      expect((await b.app.inject({ url: `/b/${i}`, remoteAddress })).statusCode).toBe(404);
    }
    expect((await a.app.inject({ url: '/a/again', remoteAddress })).statusCode).toBe(429);
    expect((await b.app.inject({ url: '/b/again', remoteAddress })).statusCode).toBe(429);
  });

  it('keeps its counters under REDIS_KEY_PREFIX and leaves other keys alone', async () => {
    expect((await a.app.inject({ url: '/c/1', remoteAddress: '203.0.113.78' })).statusCode).toBe(404);
    const keys = await keysUnder(a.deps.redis!, prefix);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => key.startsWith(`${prefix}rl:`))).toBe(true);
    expect(await a.deps.redis!.get(bystander)).toBe('not yours');
  });
});
