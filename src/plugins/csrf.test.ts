import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { csrfPlugin, requireCsrf } from './csrf.js';
import { cookiesPlugin } from './session.js';

// The CSRF plugin on a bare Fastify app: the tokens a page gets, and which methods must carry one.

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function buildApp(): Promise<FastifyInstance> {
  app = Fastify();
  await app.register(cookiesPlugin, { secretKey: 's'.repeat(40) });
  await app.register(csrfPlugin);
  // A page with two forms: both must carry a token the next POST can use.
  app.get('/form', async (_request, reply) => ({ first: reply.csrfToken(), second: reply.csrfToken() }));
  await app.register(async (scope) => {
    scope.addHook('preHandler', requireCsrf);
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) scope.route({ method, url: '/change', handler: async () => ({ ok: true }) });
  });
  return app;
}

const cookieOf = (response: { cookies: Array<{ name: string; value: string }> }) => response.cookies.map((c) => `${c.name}=${c.value}`).join('; ');

describe('csrf tokens', () => {
  it('gives a first visitor one token per page, set with one cookie, which a POST can then use', async () => {
    const server = await buildApp();
    const page = await server.inject({ url: '/form' });
    const { first, second } = page.json<{ first: string; second: string }>();
    expect(second).toBe(first);
    expect(page.cookies.filter((c) => c.name === 'helpr_csrf')).toHaveLength(1);
    expect(page.cookies[0]).toMatchObject({ name: 'helpr_csrf', path: '/', sameSite: 'Lax', httpOnly: true });
    const post = await server.inject({ method: 'POST', url: '/change', headers: { cookie: cookieOf(page) }, payload: { _csrf: first } });
    expect(post.statusCode).toBe(200);
  });

  it('gives a returning visitor a token for the secret it already has, without a new cookie', async () => {
    const server = await buildApp();
    const first = await server.inject({ url: '/form' });
    const again = await server.inject({ url: '/form', headers: { cookie: cookieOf(first) } });
    const { first: token, second } = again.json<{ first: string; second: string }>();
    expect(second).toBe(token);
    expect(again.cookies).toHaveLength(0);
    const post = await server.inject({ method: 'POST', url: '/change', headers: { cookie: cookieOf(first), 'x-csrf-token': token } });
    expect(post.statusCode).toBe(200);
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'] as const)('refuses %s without a valid token', async (method) => {
    const server = await buildApp();
    const page = await server.inject({ url: '/form' });
    expect((await server.inject({ method, url: '/change', headers: { cookie: cookieOf(page) } })).statusCode).toBe(403);
    expect((await server.inject({ method, url: '/change', headers: { cookie: cookieOf(page), 'x-csrf-token': 'forged' } })).statusCode).toBe(403);
    const token = page.json<{ first: string }>().first;
    expect((await server.inject({ method, url: '/change', headers: { cookie: cookieOf(page), 'x-csrf-token': token } })).statusCode).toBe(200);
  });

  it('asks nothing of a GET', async () => {
    const server = await buildApp();
    expect((await server.inject({ url: '/change' })).statusCode).toBe(200);
  });
});

describe('requireCsrf', () => {
  it.each([
    ['GET', false],
    ['HEAD', false],
    ['OPTIONS', false],
    ['POST', true],
    ['PUT', true],
    ['PATCH', true],
    ['DELETE', true],
  ])('%s checks the token: %s', (method, checked) => {
    const csrfProtection = vi.fn();
    const done = vi.fn();
    const request = { method } as FastifyRequest;
    requireCsrf.call({ csrfProtection } as unknown as FastifyInstance, request, {} as FastifyReply, done);
    expect(csrfProtection).toHaveBeenCalledTimes(checked ? 1 : 0);
    expect(done).toHaveBeenCalledTimes(checked ? 0 : 1);
  });
});
