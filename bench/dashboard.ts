/**
 * Dashboard latency with a big history: 100,000 invitations over 60 days in a fresh SQLite file
 * (and in PostgreSQL when TEST_DATABASE_URL or BENCH_DATABASE_URL is set), then GET /admin through
 * app.inject as a signed-in admin. Run: `npm run bench:dashboard` (or `npx tsx bench/dashboard.ts`).
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
import type { InvitationStatus } from '../src/db/schema.js';
import { createDeps } from '../src/deps.js';
import { signIn } from '../test/helpers/admin-session.js';
import { insertInBatches, invitationRow } from './invitation-rows.js';

const ROWS = 100_000;
const DAYS = 60;
const WARM_UP = 5;
const RENDERS = 30;
const TARGET_MS = 1000;
const PASSWORD = 'bench password 123';
const SESSION_SQL = /from "(sessions|admins)"|into "sessions"/;

interface Result {
  dialect: string;
  seedSeconds: number;
  renders: number[];
  serviceMs: number[];
  dashboardStatements: number;
  sessionStatements: number;
}

/** Mostly sent, some of everything else; spread evenly over the last DAYS days. Deterministic. */
function* benchRows(now: number) {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const weights: Array<[InvitationStatus, number]> = [['sent', 0.7], ['already_shared', 0.1], ['pending', 0.08], ['failed', 0.07], ['revoked', 0.05]];
  for (let i = 0; i < ROWS; i += 1) {
    let pick = random();
    const status = weights.find(([, weight]) => (pick -= weight) < 0)?.[0] ?? 'sent';
    const createdAt = new Date(now - Math.floor(random() * DAYS * 86_400_000)).toISOString();
    yield invitationRow(`bench-${i}`, status, createdAt);
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function benchOne(dialect: string, env: Record<string, string>, schema?: string): Promise<Result> {
  const statements: string[] = [];
  let counting = false;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-bench-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-000000',
    LOG_LEVEL: 'silent',
    // Set up as far as the dashboard cares; it never calls Plex, so the token is never used.
    PLEX_TOKEN: 'bench-token',
    PLEX_SERVER_ID: 'bench-server',
    // Seeding blocks the loop for seconds; the overload guard must not turn the first renders into 503s.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
  const deps = await createDeps(config, {
    logger: pino({ level: 'silent' }),
    connectRedis: false,
    database: { schema, onQuery: (sql) => void (counting && statements.push(sql)) },
  });
  try {
    await migrateToLatest(deps.database);
    const seedStart = performance.now();
    await insertInBatches(deps.database.db, benchRows(deps.clock.now().getTime()));
    const seedSeconds = (performance.now() - seedStart) / 1000;
    await deps.services.admins.createAdmin({ username: 'owner', password: PASSWORD });
    const app = await buildApp(deps);
    try {
      const session = await signIn(app, 'owner', PASSWORD);
      const render = async () => {
        const started = performance.now();
        const response = await session.get('/admin');
        if (response.statusCode !== 200 || !response.body.includes('data-chart=')) throw new Error(`GET /admin answered ${response.statusCode}`);
        return performance.now() - started;
      };
      for (let i = 0; i < WARM_UP; i += 1) await render();
      const renders: number[] = [];
      for (let i = 0; i < RENDERS; i += 1) renders.push(await render());
      const serviceMs: number[] = [];
      for (let i = 0; i < RENDERS; i += 1) {
        const started = performance.now();
        await deps.services.dashboard.overview();
        serviceMs.push(performance.now() - started);
      }
      counting = true;
      await render();
      counting = false;
      const sessionStatements = statements.filter((sql) => SESSION_SQL.test(sql)).length;
      return { dialect, seedSeconds, renders, serviceMs, dashboardStatements: statements.length - sessionStatements, sessionStatements };
    } finally {
      await app.close();
    }
  } finally {
    await deps.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchPostgres(url: string): Promise<Result> {
  const schema = `helpr_bench_${crypto.randomBytes(4).toString('hex')}`;
  const config = { dialect: 'postgres' as const, url };
  const admin = await createDatabase(config, { poolSize: 1 });
  await admin.db.schema.createSchema(schema).execute();
  try {
    return await benchOne('postgres', { DATABASE_URL: url }, schema);
  } finally {
    await admin.db.schema.dropSchema(schema).ifExists().cascade().execute();
    await admin.close();
  }
}

function report(results: Result[]): boolean {
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(9);
  console.log(`\nGET /admin with ${ROWS.toLocaleString('en-US')} invitations over ${DAYS} days: ${RENDERS} renders after ${WARM_UP} warm-up, one at a time (${os.cpus().length} CPUs, Node ${process.version})\n`);
  console.log('dialect    seed      p50        p95        max        service p50  SQL per render');
  let ok = true;
  for (const r of results) {
    const sorted = [...r.renders].sort((a, b) => a - b);
    const service = [...r.serviceMs].sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    ok &&= p95 < TARGET_MS;
    console.log(
      `${r.dialect.padEnd(10)} ${`${r.seedSeconds.toFixed(1)} s`.padEnd(8)} ${ms(percentile(sorted, 50))}  ${ms(p95)}  ${ms(sorted.at(-1)!)}  ${ms(percentile(service, 50))}    ${r.dashboardStatements} dashboard + ${r.sessionStatements} session/guard`,
    );
  }
  console.log(`\nTarget: a render well under a second (p95 < ${TARGET_MS} ms): ${ok ? 'met' : 'MISSED'}.`);
  return ok;
}

const started = performance.now();
// No DATABASE_URL: a fresh SQLite file in the run's own data directory, removed afterwards.
const results = [await benchOne('sqlite', {})];
const pgUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim();
if (pgUrl) results.push(await benchPostgres(pgUrl));
else console.log('PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it.');
const ok = report(results);
console.log(`Finished in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
process.exitCode = ok ? 0 : 1;
