import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE_FLAGS } from '../../src/launcher.js';
import { PROJECT_ROOT } from '../../src/paths.js';

export interface HelprProcess {
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawn until /readyz answered 200. */
  startToReadyMs: number;
  rssBytes(): number;
  /** CPU time (user + system, all threads) the process has used so far, in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process, from /proc (Linux). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

/** CPU time of a process (utime + stime from /proc/PID/stat, Linux), in milliseconds. */
export function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

// USER_HZ, which Linux fixes at 100 on every architecture Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The environment and Node flags `npm start` (`helpr serve`, src/launcher.ts) gives Helpr's process,
 * so the measured process runs as users run it (started directly: one process to measure).
 */
function startCommand(): { env: Record<string, string>; flags: string[] } {
  return { env: { MALLOC_ARENA_MAX: '2' }, flags: [...NODE_FLAGS] };
}

/** Starts the built app as `npm start` does (same Node flags) on 127.0.0.1 and waits for /readyz. */
export async function startHelpr(env: Record<string, string>): Promise<HelprProcess> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-bench-'));
  const started = performance.now();
  const start = startCommand();
  // The default log level, as users run it; the log goes to a file as it would to journald or docker.
  const log = fs.openSync(path.join(dataDir, 'helpr.log'), 'w');
  // BENCH_NODE_FLAGS adds Node flags for a look inside, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extraFlags = process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...start.flags, ...extraFlags, path.join(PROJECT_ROOT, 'dist/src/main.js')], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', ...start.env, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', log, 'inherit'],
  });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  let startToReadyMs = Number.NaN;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`helpr exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) {
        startToReadyMs = performance.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (Number.isNaN(startToReadyMs)) throw new Error('helpr did not become ready within 20 s');
  return {
    url,
    child,
    startToReadyMs,
    rssBytes: () => rssOf(child.pid!),
    cpuMs: () => cpuMsOf(child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
