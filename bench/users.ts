/**
 * Users (issue 13) at 10,000 shares: the simulator holds BENCH_SHARES shares of the owner's server
 * (80 % accepted by accounts of their own, 20 % invites to an email with no account yet), Helpr
 * syncs them (plex.tv requests and time of the first sync, which finds everyone, and of a second
 * one, which changes nothing), then GET /admin/users (signed in) and GET /api/v1/users are timed
 * with that many users, and the SQL statements of one page render counted. SQLite, and PostgreSQL
 * when BENCH_DATABASE_URL or TEST_DATABASE_URL is set. Run: `npx tsx bench/users.ts`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createDeps } from '../src/deps.js';
import { createPlexClient } from '../src/plex/plex-client.js';
import { signIn } from '../test/helpers/admin-session.js';
import { startPlexSimulator, type PlexSimulator } from '../tools/plex-sim/index.js';
import { percentile } from './dashboard.js';

const SHARES = Number(process.env.BENCH_SHARES ?? 10_000);
const WARM_UP = 5;
const RENDERS = 40;
export const USERS_TARGET_P95_MS = 50;
// The rows, the counts per state (which give the total) and the sync's status.
export const USERS_MAX_STATEMENTS = 3;
const PASSWORD = 'bench password 123';
const SESSION_SQL = /from "(sessions|admins)"|into "sessions"/;
const TOKEN_REFUSAL_KEY = 'plex.tokenRefused';
const MOVIES = 35723967;

export interface UsersResult {
  dialect: string;
  shares: number;
  firstSync: { ms: number; plexRequests: number; found: number };
  secondSync: { ms: number; plexRequests: number };
  pages: number[];
  api: number[];
  pageStatements: number;
  sessionStatements: number;
}

/** Fills the simulator: accounts that accepted their share, and invites to addresses without an account. */
async function seedShares(sim: PlexSimulator): Promise<void> {
  const client = createPlexClient({ urls: { tvUrl: sim.plexTvUrl, clientsUrl: sim.clientsPlexTvUrl }, clientIdentifier: 'helpr-bench-seed' });
  const sharing = { machineIdentifier: sim.machineIdentifier, librarySectionIds: [MOVIES], sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false } };
  const accepted = Math.round(SHARES * 0.8);
  const work = Array.from({ length: SHARES }, (_, i) => i);
  const one = async (i: number) => {
    if (i < accepted) {
      const account = sim.control.addAccount({ username: `bench${i}`, email: `bench${i}@example.com` });
      await client.sharing.inviteFriend(sim.ownerToken, { ...sharing, invitee: account.username, invitedId: account.id });
      await client.sharing.acceptInvite(account.token, 'owner');
    } else {
      await client.sharing.inviteFriend(sim.ownerToken, { ...sharing, invitee: `invited${i}@example.com` });
    }
  };
  await Promise.all(Array.from({ length: 32 }, async () => {
    for (let i = work.shift(); i !== undefined; i = work.shift()) await one(i);
  }));
  await client.close();
  const state = sim.control.state();
  if (state.shares.length !== SHARES || state.accepted.length !== accepted) throw new Error(`seeded ${state.shares.length} shares (${state.accepted.length} accepted), expected ${SHARES} (${accepted})`);
}

async function benchOne(dialect: string, sim: PlexSimulator, env: Record<string, string>, schema?: string): Promise<UsersResult> {
  const statements: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  let counting = false;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-bench-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-000000',
    LOG_LEVEL: 'silent',
    PLEX_TOKEN: sim.ownerToken,
    PLEX_SERVER_ID: sim.machineIdentifier,
    PLEX_TV_URL: sim.plexTvUrl,
    PLEX_CLIENTS_URL: sim.clientsPlexTvUrl,
    MAX_EVENT_LOOP_DELAY_MS: '0',
    USERS_SYNC_MINUTES: '0',
    ...env,
  });
  const deps = await createDeps(config, {
    logger: pino({ level: 'silent' }),
    connectRedis: false,
    database: { schema, onQuery: (sql, parameters) => void (counting && statements.push({ sql, parameters })) },
  });
  try {
    await migrateToLatest(deps.database);
    await deps.services.admins.createAdmin({ username: 'owner', password: PASSWORD });
    const plexRequests = () => sim.control.counters().plexTv.total;
    const sync = async () => {
      const before = plexRequests();
      const started = performance.now();
      const result = await deps.services.usersSync.runNow();
      if (result.outcome !== 'synced') throw new Error(`sync answered ${result.outcome}: ${JSON.stringify(result.status)}`);
      return { ms: performance.now() - started, plexRequests: plexRequests() - before, found: result.status.changed?.found ?? 0 };
    };
    const firstSync = await sync();
    if (firstSync.found !== SHARES) throw new Error(`the first sync found ${firstSync.found} people, expected ${SHARES}`);
    const second = await sync();
    const app = await buildApp(deps);
    try {
      const session = await signIn(app, 'owner', PASSWORD);
      const page = async () => {
        const started = performance.now();
        const response = await session.get('/admin/users?page=3');
        if (response.statusCode !== 200 || !response.body.includes(`of ${SHARES.toLocaleString('en-US')}`) && !response.body.includes(`of ${SHARES}`)) throw new Error(`GET /admin/users answered ${response.statusCode}`);
        return performance.now() - started;
      };
      for (let i = 0; i < WARM_UP; i += 1) await page();
      const pages: number[] = [];
      for (let i = 0; i < RENDERS; i += 1) pages.push(await page());
      const { key } = await deps.services.apiKeys.create({ name: 'bench', createdBy: null });
      const api = async () => {
        const started = performance.now();
        const response = await app.inject({ url: '/api/v1/users?state=active&q=bench1&page=2', headers: { authorization: `Bearer ${key}` } });
        if (response.statusCode !== 200) throw new Error(`GET /api/v1/users answered ${response.statusCode}`);
        return performance.now() - started;
      };
      for (let i = 0; i < WARM_UP; i += 1) await api();
      const apiCalls: number[] = [];
      for (let i = 0; i < RENDERS; i += 1) apiCalls.push(await api());
      counting = true;
      await page();
      counting = false;
      if (process.env.BENCH_SHOW_SQL) for (const { sql } of statements) console.log(`${dialect}: ${sql.slice(0, 160)}`);
      const sessionStatements = statements.filter(({ sql, parameters }) => SESSION_SQL.test(sql) || parameters.includes(TOKEN_REFUSAL_KEY)).length;
      return {
        dialect,
        shares: SHARES,
        firstSync,
        secondSync: { ms: second.ms, plexRequests: second.plexRequests },
        pages,
        api: apiCalls,
        pageStatements: statements.length - sessionStatements,
        sessionStatements,
      };
    } finally {
      await app.close();
    }
  } finally {
    await deps.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchPostgres(sim: PlexSimulator, url: string): Promise<UsersResult> {
  const schema = `helpr_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = await createDatabase({ dialect: 'postgres', url }, { poolSize: 1 });
  await admin.db.schema.createSchema(schema).execute();
  try {
    const withSchema = new URL(url);
    withSchema.searchParams.set('options', `-c search_path=${schema}`);
    return await benchOne('postgres', sim, { DATABASE_URL: withSchema.toString() }, schema);
  } finally {
    await admin.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await admin.close();
  }
}

export function reportUsers(results: UsersResult[]): boolean {
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(9);
  console.log(`\n${SHARES.toLocaleString('en-US')} shares on the simulator; ${RENDERS} calls after ${WARM_UP} warm-up, one at a time (${os.cpus().length} CPUs, Node ${process.version})\n`);
  console.log('dialect    first sync (plex.tv req)  second sync (req)   /admin/users p50  p95     API p50   p95      SQL per render');
  let ok = true;
  for (const r of results) {
    const pages = [...r.pages].sort((a, b) => a - b);
    const api = [...r.api].sort((a, b) => a - b);
    ok &&= percentile(pages, 95) <= USERS_TARGET_P95_MS && percentile(api, 95) <= USERS_TARGET_P95_MS && r.pageStatements <= USERS_MAX_STATEMENTS && r.firstSync.plexRequests === 2 && r.secondSync.plexRequests === 2;
    console.log(
      `${r.dialect.padEnd(10)} ${`${(r.firstSync.ms / 1000).toFixed(2)} s (${r.firstSync.plexRequests})`.padEnd(25)} ${`${r.secondSync.ms.toFixed(0)} ms (${r.secondSync.plexRequests})`.padEnd(19)} ${ms(percentile(pages, 50))} ${ms(percentile(pages, 95))}  ${ms(percentile(api, 50))} ${ms(percentile(api, 95))}   ${r.pageStatements} page + ${r.sessionStatements} session/guard/banner`,
    );
  }
  console.log(`\nTargets: 2 plex.tv requests per sync, p95 <= ${USERS_TARGET_P95_MS} ms for the page and the API, <= ${USERS_MAX_STATEMENTS} statements per render: ${ok ? 'met' : 'MISSED'}.`);
  return ok;
}

export async function benchUsers(): Promise<UsersResult[]> {
  const sim = await startPlexSimulator({ requestLogLimit: 1000 });
  try {
    const seeding = performance.now();
    await seedShares(sim);
    console.log(`Seeded ${SHARES.toLocaleString('en-US')} shares in ${((performance.now() - seeding) / 1000).toFixed(1)} s.`);
    const results = [await benchOne('sqlite', sim, {})];
    const pgUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim();
    if (pgUrl) results.push(await benchPostgres(sim, pgUrl));
    else console.log('PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it.');
    return results;
  } finally {
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const ok = reportUsers(await benchUsers());
  console.log(`Finished in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  process.exitCode = ok ? 0 : 1;
}
