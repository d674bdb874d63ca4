import crypto from 'node:crypto';
import pg from 'pg';
import { TEST_DATABASE_URL } from './services.js';

export interface OwnPostgresDatabase {
  name: string;
  /** DATABASE_URL for a Helpr process on this database. */
  url: string;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /**
   * A database outage for Helpr: new connections are refused and every open one is cut. Cutting
   * alone would not do: the pool would open fresh connections at once.
   */
  cutConnections(): Promise<void>;
  allowConnections(): Promise<void>;
  drop(): Promise<void>;
}

/**
 * A PostgreSQL database of the test's own (not a schema in the shared one): the fault suite cuts
 * every connection to it, which it must never do to a database other tests use. Dropped by drop().
 */
export async function ownPostgresDatabase(prefix = 'helpr_fault'): Promise<OwnPostgresDatabase> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  // The admin connection stays on the shared database, so it is never among the ones cut.
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  const own = new pg.Pool({ connectionString: url.toString(), max: 2 });
  own.on('error', () => undefined);
  return {
    name,
    url: url.toString(),
    query: async (text, values) => (await own.query(text, values)).rows,
    async cutConnections() {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    },
    async allowConnections() {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    },
    async drop() {
      await own.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
