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

/** A bare server process answering with `response`; resolves once it listens. */
async function startBare(response: RecordedResponse): Promise<{ url: string; stop(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-bare-'));
  const file = path.join(dir, 'response.json');
  fs.writeFileSync(file, JSON.stringify(response));
  const port = await freePort();
  const bare = spawn(process.execPath, [path.join(import.meta.dirname, 'lib/bare-server.mjs'), file, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => bare.stdout!.once('data', resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => {
      bare.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Requests per second of Helpr's GET / against bare node:http servers, each in its own process,
 * loaded one at a time with the same autocannon settings, in alternating rounds (Helpr, same
 * response, body only, Helpr, ...) so that a slow spell of the machine falls on all of them alike;
 * each figure is the median of its rounds. The baseline the target is read against sends Helpr's
 * response byte for byte (headers included: the security headers and the CSRF cookie are part of
 * the page a visitor gets, and autocannon parses every header in JavaScript on the same two cores,
 * so a baseline without them measures the load tool as much as the server). The body-only
 * baseline is printed too, so the cost of the headers is visible.
 */
export async function benchPublicPage(options = { connections: 50, roundSeconds: 3, rounds: 5 }): Promise<PublicPageResult> {
  const sim = await startPlexSimulator();
  const helpr = await startHelpr(readyEnv(sim));
  const bares: Array<{ stop(): void }> = [];
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
    const recorded: RecordedResponse = { headers, body, keepAliveTimeoutMs: keepAlive ? Number(keepAlive[1]) * 1000 : undefined };
    const same = await startBare(recorded);
    const bodyOnly = await startBare({ headers: { 'content-type': String(headers['content-type']) }, body });
    bares.push(same, bodyOnly);

    const targets = { helpr: `${helpr.url}/`, same: same.url, bodyOnly: bodyOnly.url };
    const runs: Record<keyof typeof targets, LoadResult[]> = { helpr: [], same: [], bodyOnly: [] };
    for (const url of Object.values(targets)) await load(url, { connections: options.connections, durationSeconds: 2 }); // warm-up
    for (let round = 0; round < options.rounds; round++) {
      for (const [name, url] of Object.entries(targets) as Array<[keyof typeof targets, string]>) {
        runs[name].push(await load(url, { connections: options.connections, durationSeconds: options.roundSeconds }));
      }
    }
    const rps = (name: keyof typeof targets) => median(runs[name].map((run) => run.requestsPerSecond));
    const headerLines = Object.entries(headers).flatMap(([name, value]) => [value].flat().map((v) => `${name}: ${v}\r\n`));
    return {
      helprRps: rps('helpr'),
      helprP99Ms: median(runs.helpr.map((run) => run.p99Ms)),
      sameResponse: { rps: rps('same'), ratio: rps('helpr') / rps('same') },
      bodyOnly: { rps: rps('bodyOnly'), ratio: rps('helpr') / rps('bodyOnly') },
      pageBytes: Buffer.byteLength(body),
      headerBytes: Buffer.byteLength(headerLines.join('')),
      headerCount: headerLines.length,
      errors: runs.helpr.reduce((sum, run) => sum + run.errors + run.non2xx, 0),
    };
  } finally {
    bares.forEach((bare) => bare.stop());
    await helpr.stop();
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchPublicPage());
}
