import { spawn, spawnSync } from 'node:child_process';

export interface WrkResult {
  requestsPerSecond: number;
  p99Ms: number;
  requests: number;
  /** Socket errors, timeouts and non-2xx/3xx answers together. */
  errors: number;
  /** CPU time wrk itself used (user + system), in milliseconds: when it nears the run's length x threads, wrk is the bottleneck. */
  cpuMs: number;
}

export const wrkAvailable = (): boolean => spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;

const MS_PER = { us: 0.001, ms: 1, s: 1000 } as const;
const toMs = (value: string, unit: string) => Number(value) * MS_PER[unit as keyof typeof MS_PER];

/**
 * One wrk run (a load generator in C: the server, not the tool, is measured) with `--latency`,
 * through bash so that `times` reports wrk's own CPU time next to the figures.
 */
export function wrk(url: string, options: { connections: number; durationSeconds: number; threads?: number; script?: string }): Promise<WrkResult> {
  const args = ['-t', String(options.threads ?? 1), '-c', String(options.connections), '-d', `${options.durationSeconds}s`, '--latency', ...(options.script ? ['-s', options.script] : []), url];
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'wrk "$@"; status=$?; times; exit $status', 'wrk', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited with ${code}: ${out}`));
      const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
      const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(out);
      const total = /(\d+) requests in/.exec(out);
      const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
      const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      // `times`: the shell's own user and system time, then its children's (wrk's).
      const times = [...out.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
      if (!rps || !p99 || !total || times.length < 4) return reject(new Error(`cannot read wrk's output: ${out}`));
      resolve({
        requestsPerSecond: Number(rps[1]),
        p99Ms: toMs(p99[1]!, p99[2]!),
        requests: Number(total[1]),
        errors: (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + (non2xx ? Number(non2xx[1]) : 0),
        cpuMs: times[2]! + times[3]!,
      });
    });
  });
}
