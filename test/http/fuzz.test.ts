import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import type { PlexSimulator } from '../../tools/plex-sim/index.js';
import { ADMIN_PASSWORD, signIn } from '../helpers/admin-session.js';
import { apiAuth, csrfFrom, testAppOf, testConfig, type TestApp } from '../helpers/app.js';
import {
  apiShapes,
  ENCODED_VALUES,
  fillPath,
  formFields,
  JSON_VALUES,
  PATH_VALUES,
  problemsOf,
  RAW_JSON_BODIES,
  structuralQueries,
  type ApiShape,
  type Caller,
  type FuzzRequest,
} from '../helpers/fuzz.js';
import { startSim } from '../helpers/plex-sim.js';
import { createTestDatabase, describeDialects, type TestDialect } from '../helpers/database.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';
import { createReadyApp } from '../helpers/ready-app.js';
import { TEST_DATABASE_URL } from '../helpers/services.js';

/**
 * Every registered route gets malformed, oversized and hostile values in every path parameter,
 * query parameter and body field, signed in and not (and with an API key under /api/v1). No answer
 * may be a 5xx, every answer carries the security headers, and no Location header carries anything
 * but visible ASCII (Node throws on the rest, outside any error handler, and the process stops).
 */

// Query keys Helpr reads somewhere, and a few it does not; the API's own come from its schemas.
const QUERY_KEYS = ['page', 'perPage', 'offset', 'limit', 'days', 'next', 'back', 'q', 'status', 'from', 'to', 'created', 'action', 'code', 'id'];
// Fields of forms that are only shown in some states (errors, setup steps), besides those harvested.
const KNOWN_FIELDS = ['username', 'password', 'repeat', 'current', 'next', 'back', 'email', 'code', 'label', 'expiresAt', 'maxUses', 'libraries', 'token', 'server', 'serverId', 'pin', 'name'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const isApi = (url: string) => url.startsWith('/api/');
const CONCURRENCY = 4;

function formRequests(method: string, url: string, fields: string[], caller: Caller): FuzzRequest[] {
  const csrf = caller.csrf ? `_csrf=${encodeURIComponent(caller.csrf)}&` : '';
  const form = (body: string): FuzzRequest => ({ method, url, headers: { 'content-type': FORM }, payload: csrf + body });
  const json = (body: Record<string, unknown>): FuzzRequest => ({ method, url, headers: { 'content-type': JSON_TYPE }, payload: JSON.stringify({ _csrf: caller.csrf, ...body }) });
  return [
    ...ENCODED_VALUES.map((value) => form(fields.map((f) => `${f}=${value}`).join('&'))),
    ...structuralQueries(fields).map(form),
    form(`next=${'x'.repeat(70_000)}`), // past the body limit
    ...JSON_VALUES.map((value) => json(Object.fromEntries(fields.map((f) => [f, value])))),
    { method, url, headers: { 'content-type': 'text/plain' }, payload: 'hello' },
    { method, url, headers: { 'content-type': JSON_TYPE }, payload: '{"_csrf":' },
  ];
}

function jsonRequests(method: string, url: string, properties: string[]): FuzzRequest[] {
  const json = (payload: string): FuzzRequest => ({ method, url, headers: { 'content-type': JSON_TYPE }, payload });
  const requests = JSON_VALUES.map((value) => json(JSON.stringify(Object.fromEntries(properties.map((p) => [p, value])))));
  // One property at a time too, so that the first refused property does not hide the others.
  if (properties.length > 1) {
    for (const p of properties) for (const value of JSON_VALUES) requests.push(json(JSON.stringify({ [p]: value })));
  }
  requests.push(...RAW_JSON_BODIES.map(json), json(JSON.stringify({ [properties[0] ?? 'x']: 'x'.repeat(70_000) })));
  requests.push({ method, url, headers: { 'content-type': FORM }, payload: 'email=a%00&libraries=1&libraries=2' });
  return requests;
}

/** The requests for one route: each parameter, query key and body field gets every hostile value. */
function requestsFor(route: { method: string; url: string }, caller: Caller, fields: string[], shape: ApiShape | undefined, idFor: IdFor): FuzzRequest[] {
  const { method } = route;
  const api = isApi(route.url);
  const bodyless = (url: string): FuzzRequest =>
    BODY_METHODS.has(method) ? { method, url, headers: { 'content-type': api ? JSON_TYPE : FORM }, payload: api ? '{}' : caller.csrf ? `_csrf=${encodeURIComponent(caller.csrf)}` : '' } : { method, url };
  const base = fillPath(route.url, idFor(route.url));
  const requests: FuzzRequest[] = [];
  if (base !== route.url) requests.push(...PATH_VALUES.map((value) => bodyless(fillPath(route.url, value))));
  if (method !== 'GET') requests.push({ method: 'GET', url: base });
  const keys = shape?.query.length ? shape.query : QUERY_KEYS;
  requests.push(...ENCODED_VALUES.map((value) => bodyless(`${base}?${keys.map((k) => `${k}=${value}`).join('&')}`)));
  if (keys.length > 1 && shape) for (const k of keys) requests.push(...ENCODED_VALUES.map((value) => bodyless(`${base}?${k}=${value}`)));
  requests.push(...structuralQueries(keys).map((query) => bodyless(`${base}?${query}`)));
  if (BODY_METHODS.has(method)) requests.push(...(api ? jsonRequests(method, base, shape?.body ?? []) : formRequests(method, base, fields, caller)));
  return requests;
}

interface FuzzRun {
  requests: number;
  /** Requests that changes state and got past the guards and CSRF: proof that the values reached the handlers. */
  handled: number;
  failures: string[];
}

/** The value of a route's parameters when the query and body are fuzzed: something that exists, so the handler runs. */
type IdFor = (url: string) => string;

interface FuzzOptions {
  only?: (url: string) => boolean;
  skip?: Set<string>;
  idFor?: IdFor;
  afterRoute?: (route: string) => Promise<string | undefined>;
}

async function fuzz(app: FastifyInstance, caller: Caller, options: FuzzOptions = {}): Promise<FuzzRun> {
  const shapes = apiShapes(app);
  const fields = [...new Set([...KNOWN_FIELDS, ...(await harvestedFields(app, caller))])];
  const run: FuzzRun = { requests: 0, handled: 0, failures: [] };
  for (const route of app.registeredRoutes) {
    const name = `${route.method} ${route.url}`;
    if (route.method === 'HEAD' || options.skip?.has(name) || (options.only && !options.only(route.url))) continue;
    const send = async (request: FuzzRequest) => {
      const response = await app.inject({ ...request, remoteAddress: caller.remoteAddress, headers: { ...caller.headers, ...request.headers } });
      run.requests += 1;
      if (request.method !== 'GET' && ![401, 403].includes(response.statusCode)) run.handled += 1;
      const problems = problemsOf(response);
      if (problems.length > 0) run.failures.push(`${caller.name}: ${request.method} ${request.url.slice(0, 150)} ${String(request.payload ?? '').slice(0, 100)} -> ${problems.join(', ')}`);
    };
    // A few at a time: the database's round trips overlap, as they would under real traffic.
    const requests = requestsFor(route, caller, fields, shapes.get(name), options.idFor ?? (() => 'x'));
    for (let i = 0; i < requests.length; i += CONCURRENCY) await Promise.all(requests.slice(i, i + CONCURRENCY).map(send));
    const afterRoute = await options.afterRoute?.(name);
    if (afterRoute) run.failures.push(afterRoute);
  }
  return run;
}

/** Field names of the forms on every page this caller can open (without parameters). */
async function harvestedFields(app: FastifyInstance, caller: Caller): Promise<string[]> {
  const fields = new Set<string>();
  for (const route of app.registeredRoutes) {
    if (route.method !== 'GET' || route.url.includes(':') || route.url.includes('*') || isApi(route.url)) continue;
    const page = await app.inject({ url: route.url, headers: caller.headers, remoteAddress: caller.remoteAddress });
    for (const field of formFields(page.body)) fields.add(field);
  }
  return [...fields];
}

/** An invitation, an invite code and an API key to aim the fuzz at. */
async function existingIds(t: TestApp): Promise<IdFor> {
  const invitation = invitationRow({ status: 'failed', last_error: 'Plex refused', sent_at: null });
  await insertMany(t.deps.database.db, [invitation]);
  const code = await t.deps.services.codeAdmin.create({ label: 'fuzz' }, { name: 'owner', type: 'admin', ip: null });
  const { view: key } = await t.deps.services.apiKeys.create({ name: 'fuzz', createdBy: null });
  return (url) => {
    if (url.startsWith('/join/')) return code.code;
    if (url.includes('/codes/')) return code.id;
    if (url.includes('/api-keys/')) return key.id;
    if (url.includes('/invitations/') || url.startsWith('/requests/')) return invitation.id;
    return 'x';
  };
}

const report = (run: FuzzRun) => `${run.failures.length} of ${run.requests} requests failed:\n${run.failures.slice(0, 40).join('\n')}`;

function expectClean(run: FuzzRun): void {
  expect(run.failures, report(run)).toEqual([]);
  expect(run.handled).toBeGreaterThan(100);
}

/** An app after setup, wired to the simulator, on SQLite or on a PostgreSQL schema of its own (dropped afterwards). */
async function readyAppOn(dialect: TestDialect, sim: PlexSimulator): Promise<TestApp> {
  // The sign-in slow-down is not what is tested here: its waits would only make the run long.
  const sleep = async () => {};
  if (dialect === 'sqlite') return createReadyApp(sim, { sleep });
  const database = await createTestDatabase('postgres', { migrate: false });
  const url = new URL(TEST_DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${database.schema}`);
  const t = await createReadyApp(sim, { sleep, env: { DATABASE_URL: url.toString() } });
  return { ...t, close: async () => (await t.close(), await database.close()) };
}

describeDialects('fuzz: hostile values to every registered route, on %s', (dialect) => {
  let sim: PlexSimulator;
  let ready: TestApp;
  let idFor: IdFor;

  beforeAll(async () => {
    sim = await startSim();
    ready = await readyAppOn(dialect, sim);
    idFor = await existingIds(ready);
  });
  afterAll(async () => {
    await ready?.close();
    await sim?.close();
  });

  // Generous: about 2,500 requests (more with each new route), on a machine that may be busy with other suites.
  it('signed in as the owner', { timeout: 180_000 }, async () => {
    const session = await signIn(ready.app);
    const caller: Caller = { name: 'owner', headers: { cookie: session.cookie }, csrf: session.csrf, remoteAddress: '127.0.0.1' };
    const run = await fuzz(ready.app, caller, {
      idFor,
      only: (url) => !isApi(url),
      // Signing out ends the session the rest of the run needs; it takes no input but the token.
      skip: new Set(['POST /admin/logout']),
      afterRoute: async (route) => {
        const check = await session.get('/admin');
        return check.statusCode === 200 ? undefined : `the session ended after ${route} (GET /admin: ${check.statusCode})`;
      },
    });
    expectClean(run);
  });

  it('signed out, with the CSRF cookie and token a visitor gets', { timeout: 120_000 }, async () => {
    const { cookie, token } = await csrfFrom(ready.app, '/');
    const run = await fuzz(ready.app, { name: 'visitor', headers: { cookie }, csrf: token, remoteAddress: '203.0.113.20' }, { idFor });
    expectClean(run);
  });

  it('with an API key', { timeout: 120_000 }, async () => {
    const run = await fuzz(ready.app, { name: 'api key', headers: await apiAuth(ready), remoteAddress: '203.0.113.21' }, { idFor, only: isApi });
    expectClean(run);
  });

  it('with forged or broken cookies', async () => {
    const failures: string[] = [];
    const values = [...ENCODED_VALUES.filter((v) => v.length < 100), 'a'.repeat(4000), 's%3Aforged.signature', '"quoted"'];
    for (const value of values) {
      const cookie = `helpr_session=${value}; helpr_csrf=${value}; __proto__=${value}`;
      for (const route of ready.app.registeredRoutes) {
        if (route.method !== 'GET' || route.url.includes(':') || route.url.includes('*')) continue;
        const response = await ready.app.inject({ url: route.url, headers: { cookie }, remoteAddress: '203.0.113.23' });
        const problems = problemsOf(response);
        if (problems.length > 0) failures.push(`cookie ${value.slice(0, 40)}: GET ${route.url} -> ${problems.join(', ')}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('still refuses every form sent without a CSRF token', async () => {
    // From an address of its own: the fuzz's failed sign-ins slow down the others.
    const session = await signIn(ready.app, 'owner', ADMIN_PASSWORD, '192.0.2.99');
    for (const route of ready.app.registeredRoutes) {
      if (!BODY_METHODS.has(route.method) || isApi(route.url)) continue;
      const response = await ready.app.inject({ method: route.method, url: fillPath(route.url, 'x'), headers: { cookie: session.cookie, 'content-type': FORM }, payload: 'next=%2Fadmin' });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(403);
    }
  });
});

// Setup pages and forms: the same on either database, so on SQLite only.
describe('fuzz: hostile values before setup', () => {
  it('when there is no owner yet', async () => {
    const clock = fixedClock('2026-11-24T12:00:00.000Z');
    const deps = await createDeps(testConfig(), { clock, logger: pino({ level: 'silent' }), sleep: async () => {} });
    await migrateToLatest(deps.database);
    const fresh = await testAppOf(deps, clock);
    try {
      const { cookie, token } = await csrfFrom(fresh.app, '/setup');
      const run = await fuzz(fresh.app, { name: 'first visitor', headers: { cookie }, csrf: token, remoteAddress: '203.0.113.22' }, { only: (url) => !isApi(url) });
      expectClean(run);
    } finally {
      await fresh.close();
    }
  });
});
