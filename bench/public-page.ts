import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlexSimulator } from '../tools/plex-sim/index.js';
import { freePort, startHelpr } from './lib/helpr-process.js';
import { load } from './lib/load.js';
import { readyEnv } from './lib/sim-env.js';

export interface PublicPageResult {
  helprRps: number;
  bareRps: number;
  ratio: number;
  helprP99Ms: number;
  pageBytes: number;
  errors: number;
}

/**
 * Requests per second of Helpr's GET / against a bare node:http server sending a page of the same
 * size, both in their own process, measured one after the other with the same autocannon settings.
 */
export async function benchPublicPage(options = { connections: 50, durationSeconds: 8 }): Promise<PublicPageResult> {
  const sim = await startPlexSimulator();
  const helpr = await startHelpr(readyEnv(sim));
  try {
    const body = await (await fetch(`${helpr.url}/`)).text();
    if (!body.includes('name="email"')) throw new Error('GET / does not show the request form');
    await load(`${helpr.url}/`, { connections: options.connections, durationSeconds: 2 }); // warm-up
    const helprRun = await load(`${helpr.url}/`, options);
    await helpr.stop();

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-bare-')), 'page.html');
    fs.writeFileSync(file, body);
    const port = await freePort();
    const bare = spawn(process.execPath, [path.join(import.meta.dirname, 'lib/bare-server.mjs'), file, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => bare.stdout!.once('data', resolve));
    await load(`http://127.0.0.1:${port}/`, { connections: options.connections, durationSeconds: 2 });
    const bareRun = await load(`http://127.0.0.1:${port}/`, options);
    bare.kill();
    return {
      helprRps: helprRun.requestsPerSecond,
      bareRps: bareRun.requestsPerSecond,
      ratio: helprRun.requestsPerSecond / bareRun.requestsPerSecond,
      helprP99Ms: helprRun.p99Ms,
      pageBytes: Buffer.byteLength(body),
      errors: helprRun.errors + helprRun.non2xx,
    };
  } finally {
    if (helpr.child.exitCode === null) await helpr.stop();
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchPublicPage());
}
