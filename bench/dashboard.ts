/**
 * Dashboard and /api/v1/stats latency with a big history: BENCH_ROWS invitations (1,000,000 by
 * default) over a year in a fresh SQLite file (and in PostgreSQL when TEST_DATABASE_URL or
 * BENCH_DATABASE_URL is set), then GET /admin as a signed-in admin and GET /api/v1/stats with an
 * API key, through app.inject. Rows are seeded before migration 0003, which then builds the per-day
 * counts exactly as on an upgrade. Run: `npm run bench:dashboard`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/database.js';
import { Migrator } from 'kysely';
import { migrateToLatest } from '../src/db/migrate.js';
import { migrations } from '../src/db/migrations/index.js';
import type { InvitationStatus } from '../src/db/schema.js';
import type { InvitationRow } from '../src/modules/invitations/invitations.repository.js';
import { createDeps } from '../src/deps.js';
import { signIn } from '../test/helpers/admin-session.js';
import { insertInBatches, invitationRow } from './invitation-rows.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DAYS = 365;
const WARM_UP = 5;
const RENDERS = 40;
const TARGET_P95_MS = 50;
const MAX_STATEMENTS = 4;
const PASSWORD = 'bench password 123';
const SESSION_SQL = /from "(sessions|admins)"|into "sessions"/;
const TOKEN_REFUSAL_KEY = 'plex.tokenRefused';

export interface DashboardResult {
  dialect: string;
  rows: number;
  seedSeconds: number;
  renders: number[];
  statsCalls: number[];
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

function* onlyColumns(rows: Iterable<InvitationRow>, columns: Set<string>): Generator<InvitationRow> {
  for (const row of rows) {
    yield Object.fromEntries(Object.entries(row).filter(([name]) => columns.has(name))) as InvitationRow;
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function benchOne(dialect: string, env: Record<string, string>, schema?: string): Promise<DashboardResult> {
  const statements: Array<{ sql: string; parameters: readonly unknown[] }> = [];
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
    database: { schema, onQuery: (sql, parameters) => void (counting && statements.push({ sql, parameters })) },
  });
  try {
    const seedStart = performance.now();
    const migrationTableSchema = dialect === 'postgres' ? schema : undefined;
    const migrator = new Migrator({ db: deps.database.db, migrationTableSchema, provider: { getMigrations: async () => migrations } });
    const before = await migrator.migrateTo('0002-invitation-error-kind');
    if (before.error) throw before.error;
    // The shared fixture row follows the latest schema (unconfirmed_since from 0004, approved_at
    // from 0005...): write only the columns the table has at 0002, as an old install would hold them.
    const tables = await deps.database.db.introspection.getTables();
    const columns = new Set(tables.find((table) => table.name === 'invitations')?.columns.map((column) => column.name));
    await insertInBatches(deps.database.db, onlyColumns(benchRows(deps.clock.now().getTime()), columns));
    await migrateToLatest(deps.database);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const counted = await deps.database.db.selectFrom('invitation_daily_counts').select((eb) => eb.fn.sum<string>('count').as('n')).executeTakeFirstOrThrow();
    if (Number(counted.n) !== ROWS) throw new Error(`per-day counts hold ${counted.n} invitations, expected ${ROWS}`);
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
      const { key } = await deps.services.apiKeys.create({ name: 'bench', createdBy: null });
      const stats = async () => {
        const started = performance.now();
        const response = await app.inject({ url: '/api/v1/stats', headers: { authorization: `Bearer ${key}` } });
        if (response.statusCode !== 200 || response.json().total !== ROWS) throw new Error(`GET /api/v1/stats answered ${response.statusCode}`);
        return performance.now() - started;
      };
      for (let i = 0; i < WARM_UP; i += 1) await stats();
      const statsCalls: number[] = [];
      for (let i = 0; i < RENDERS; i += 1) statsCalls.push(await stats());
      const serviceMs: number[] = [];
      for (let i = 0; i < RENDERS; i += 1) {
        const started = performance.now();
        await deps.services.dashboard.overview();
        serviceMs.push(performance.now() - started);
      }
      counting = true;
      await render();
      counting = false;
      // What every admin page runs, whatever it shows: the session, the guard's admin look-up and the
      // read of the token-refusal banner (fresh from the database so that a refusal seen by another
      // instance shows at once). Counted apart from the dashboard's own statements.
      const sessionStatements = statements.filter(({ sql, parameters }) => SESSION_SQL.test(sql) || parameters.includes(TOKEN_REFUSAL_KEY)).length;
      return { dialect, rows: ROWS, seedSeconds, renders, statsCalls, serviceMs, dashboardStatements: statements.length - sessionStatements, sessionStatements };
    } finally {
      await app.close();
    }
  } finally {
    await deps.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function benchPostgres(url: string): Promise<DashboardResult> {
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

function report(results: DashboardResult[]): boolean {
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(9);
  console.log(`\n${ROWS.toLocaleString('en-US')} invitations over ${DAYS} days; ${RENDERS} calls after ${WARM_UP} warm-up, one at a time (${os.cpus().length} CPUs, Node ${process.version})\n`);
  console.log('dialect    seed      GET /admin p50  p95        stats p50  p95        SQL per render');
  let ok = true;
  for (const r of results) {
    const sorted = [...r.renders].sort((a, b) => a - b);
    const stats = [...r.statsCalls].sort((a, b) => a - b);
    ok &&= percentile(sorted, 95) <= TARGET_P95_MS && percentile(stats, 95) <= TARGET_P95_MS && r.dashboardStatements <= MAX_STATEMENTS;
    console.log(
      `${r.dialect.padEnd(10)} ${`${r.seedSeconds.toFixed(1)} s`.padEnd(8)} ${ms(percentile(sorted, 50))}  ${ms(percentile(sorted, 95))}  ${ms(percentile(stats, 50))}  ${ms(percentile(stats, 95))}  ${r.dashboardStatements} dashboard + ${r.sessionStatements} session/guard/banner`,
    );
  }
  console.log(`\nTargets: p95 <= ${TARGET_P95_MS} ms for both, <= ${MAX_STATEMENTS} statements per render: ${ok ? 'met' : 'MISSED'}.`);
  return ok;
}

export async function benchDashboard(): Promise<DashboardResult[]> {
  // No DATABASE_URL: a fresh SQLite file in the run's own data directory, removed afterwards.
  const results = [await benchOne('sqlite', {})];
  const pgUrl = process.env.BENCH_DATABASE_URL?.trim() || process.env.TEST_DATABASE_URL?.trim();
  if (pgUrl) results.push(await benchPostgres(pgUrl));
  else console.log('PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it.');
  return results;
}

export { percentile, report as reportDashboard, TARGET_P95_MS, MAX_STATEMENTS };

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const ok = report(await benchDashboard());
  console.log(`Finished in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  process.exitCode = ok ? 0 : 1;
}
