import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { runEntry, type RunningProcess } from '../helpers/process.js';
import { freePort } from '../helpers/redis-server.js';
import { programInstalled, serviceAvailable } from '../helpers/services.js';

const PG_BIN = fs.existsSync('/usr/lib/postgresql') ? path.join('/usr/lib/postgresql', fs.readdirSync('/usr/lib/postgresql').sort().at(-1)!, 'bin') : '';
const ROOT = process.getuid?.() === 0;
const available = serviceAvailable('TLS servers', ROOT && spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0 && programInstalled('redis-server') && fs.existsSync(path.join(PG_BIN, 'initdb')));

/** A CA and a certificate for 127.0.0.1 and localhost signed by it, as a managed service's would be. */
function certificates(dir: string) {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Helpr test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', file('server.key'), '-out', file('server.csr'));
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file('san.ext'), '-out', file('server.pem'));
  return { ca: file('ca.pem'), cert: file('server.pem'), key: file('server.key') };
}

function started(child: ChildProcess, ready: RegExp, name: string): Promise<void> {
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready:\n${output}`)));
  });
}

/**
 * Managed PostgreSQL and Redis speak TLS (Azure Database for PostgreSQL with `sslmode`, Azure Cache
 * for Redis with `rediss://`). Here a PostgreSQL that refuses plain connections and a Redis on a TLS
 * port only, both with a certificate from a private CA, and a Helpr process reaching both.
 */
describe.runIf(available)('PostgreSQL over TLS and rediss:// (own servers, private CA)', () => {
  let dir: string;
  let certs: ReturnType<typeof certificates>;
  let postgres: ChildProcess;
  let redis: ChildProcess;
  let pgPort: number;
  let redisPort: number;
  let helpr: RunningProcess | undefined;
  const databaseUrl = (query: string) => `postgres://postgres@127.0.0.1:${pgPort}/postgres?${query}`;

  beforeAll(async () => {
    dir = tempDir('helpr-tls-');
    fs.chmodSync(dir, 0o755);
    certs = certificates(dir);
    // PostgreSQL runs as its own user, with a data directory and key only it can read.
    const data = path.join(dir, 'pgdata');
    fs.mkdirSync(data, { mode: 0o700 });
    for (const name of ['server.key', 'server.pem']) fs.copyFileSync(path.join(dir, name), path.join(data, name));
    execFileSync('chown', ['-R', 'postgres', data]);
    fs.chmodSync(path.join(data, 'server.key'), 0o600);
    const asPostgres = (program: string, args: string[]) => spawn('setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', path.join(PG_BIN, program), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const init = asPostgres('initdb', ['-D', path.join(data, 'db'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    await new Promise((resolve, reject) => init.once('exit', (code) => (code === 0 ? resolve(undefined) : reject(new Error(`initdb exited ${code}`)))));
    fs.writeFileSync(path.join(data, 'db', 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 0.0.0.0/0 reject\n');
    pgPort = await freePort();
    postgres = asPostgres('postgres', ['-D', path.join(data, 'db'), '-p', String(pgPort), '-k', data, '-c', 'listen_addresses=127.0.0.1', '-c', 'ssl=on', '-c', `ssl_cert_file=${path.join(data, 'server.pem')}`, '-c', `ssl_key_file=${path.join(data, 'server.key')}`]);
    await started(postgres, /ready to accept connections/, 'postgres');

    redisPort = await freePort();
    redis = spawn('redis-server', ['--port', '0', '--tls-port', String(redisPort), '--bind', '127.0.0.1', '--tls-cert-file', certs.cert, '--tls-key-file', certs.key, '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await started(redis, /Ready to accept connections/, 'redis-server');
  }, 60_000);

  afterAll(async () => {
    if (helpr && helpr.child.exitCode === null) {
      helpr.child.kill('SIGTERM');
      await helpr.exited;
    }
    for (const child of [postgres, redis]) {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });

  it('PostgreSQL: sslmode=verify-full with the CA connects encrypted; without the CA, or in plain, it is refused', async () => {
    const client = new pg.Client({ connectionString: databaseUrl(`sslmode=verify-full&sslrootcert=${certs.ca}`) });
    await client.connect();
    const { rows } = await client.query<{ ssl: boolean }>('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
    await client.end();
    expect(rows).toEqual([{ ssl: true }]);

    const untrusted = new pg.Client({ connectionString: databaseUrl('sslmode=verify-full') });
    await expect(untrusted.connect()).rejects.toThrow(/self-signed certificate|unable to verify|certificate/);
    const plain = new pg.Client({ connectionString: databaseUrl('sslmode=disable') });
    await expect(plain.connect()).rejects.toThrow(/no encryption|rejects connection|pg_hba/);
  });

  it('Helpr starts on both, migrates over TLS, and reports both ready', async () => {
    helpr = runEntry('src/main.ts', {
      DATA_DIR: tempDir('helpr-tls-data-'),
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl(`sslmode=verify-full&sslrootcert=${certs.ca}`),
      REDIS_URL: `rediss://127.0.0.1:${redisPort}`,
      // A private CA, as a deployment adds one; Azure's services use public CAs, trusted already.
      NODE_EXTRA_CA_CERTS: certs.ca,
      MAX_EVENT_LOOP_DELAY_MS: '0',
    });
    const listening = await helpr.waitFor(/Server listening at/, 30_000);
    const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1]!;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { database: 'ok', redis: 'ok' } });
    expect(helpr.output()).not.toMatch(/redis connection problem|Redis unreachable/);
  }, 60_000);
});
