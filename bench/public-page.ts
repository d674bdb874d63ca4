import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlexSimulator } from '../tools/plex-sim/index.js';
import { freePort, startHelpr } from './lib/helpr-process.js';
import { load, type LoadResult } from './lib/load.js';
import { readyEnv } from './lib/sim-env.js';

export interface PublicPageResult {
  helprRps: number;
  helprP99Ms: number;
  /** Bare node:http sending the very response Helpr sends: same status line, headers and body. */
  sameResponse: { rps: number; ratio: number };
  /** Bare node:http sending the same body with only a content type (how much the headers cost). */
  bodyOnly: { rps: number; ratio: number };
  pageBytes: number;
  headerBytes: number;
  headerCount: number;
  errors: number;
}

/** Headers Node writes itself (Date, Connection, Keep-Alive) or the bare server computes. */
const WRITTEN_BY_NODE = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

interface RecordedResponse {
  headers: Record<string, string | string[]>;
  body: string;
  keepAliveTimeoutMs?: number;
}

async function runBare(response: RecordedResponse, options: { connections: number; durationSeconds: number }): Promise<LoadResult> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-bare-')), 'response.json');
  fs.writeFileSync(file, JSON.stringify(response));
  const port = await freePort();
  const bare = spawn(process.execPath, [path.join(import.meta.dirname, 'lib/bare-server.mjs'), file, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve) => bare.stdout!.once('data', resolve));
    await load(`http://127.0.0.1:${port}/`, { connections: options.connections, durationSeconds: 2 });
    return await load(`http://127.0.0.1:${port}/`, options);
  } finally {
    bare.kill();
  }
}

/**
 * Requests per second of Helpr's GET / against a bare node:http server, each in its own process,
 * measured one after the other with the same autocannon settings. The baseline the target is read
 * against sends Helpr's response byte for byte (headers included: the security headers and the CSRF
 * cookie are part of the page a visitor gets, and autocannon parses every header in JavaScript on
 * the same two cores, so a baseline without them measures the load tool rather than the server).
 * The body-only baseline is printed too, so the cost of the headers is visible.
 */
export async function benchPublicPage(options = { connections: 50, durationSeconds: 8 }): Promise<PublicPageResult> {
  const sim = await startPlexSimulator();
  const helpr = await startHelpr(readyEnv(sim));
  let recorded: RecordedResponse;
  let helprRun: LoadResult;
  try {
    const first = await fetch(`${helpr.url}/`);
    const body = await first.text();
    if (!body.includes('name="email"')) throw new Error('GET / does not show the request form');
    const headers: Record<string, string | string[]> = {};
    first.headers.forEach((value, name) => {
      if (!WRITTEN_BY_NODE.has(name)) headers[name] = value;
    });
    headers['set-cookie'] = first.headers.getSetCookie();
    const keepAlive = /timeout=(\d+)/.exec(first.headers.get('keep-alive') ?? '');
    recorded = { headers, body, keepAliveTimeoutMs: keepAlive ? Number(keepAlive[1]) * 1000 : undefined };
    await load(`${helpr.url}/`, { connections: options.connections, durationSeconds: 2 }); // warm-up
    helprRun = await load(`${helpr.url}/`, options);
  } finally {
    await helpr.stop();
    await sim.close();
  }
  const sameResponse = await runBare(recorded, options);
  const bodyOnly = await runBare({ headers: { 'content-type': String(recorded.headers['content-type']) }, body: recorded.body }, options);
  const headerLines = Object.entries(recorded.headers).flatMap(([name, value]) => [value].flat().map((v) => `${name}: ${v}\r\n`));
  return {
    helprRps: helprRun.requestsPerSecond,
    helprP99Ms: helprRun.p99Ms,
    sameResponse: { rps: sameResponse.requestsPerSecond, ratio: helprRun.requestsPerSecond / sameResponse.requestsPerSecond },
    bodyOnly: { rps: bodyOnly.requestsPerSecond, ratio: helprRun.requestsPerSecond / bodyOnly.requestsPerSecond },
    pageBytes: Buffer.byteLength(recorded.body),
    headerBytes: Buffer.byteLength(headerLines.join('')),
    headerCount: headerLines.length,
    errors: helprRun.errors + helprRun.non2xx,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchPublicPage());
}
