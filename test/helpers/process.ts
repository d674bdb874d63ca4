import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/paths.js';

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first line matching `pattern` (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; stderr: string; stdout: string }>;
}

/** Runs a TypeScript entry point (through tsx) as its own process, as `npm start` would. */
export function runEntry(entry: string, env: Record<string, string>, args: string[] = []): RunningProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    listeners.forEach((l) => l());
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    listeners.forEach((l) => l());
  });
  const exited = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) =>
    child.on('exit', (code) => {
      // Let the pipes drain before reporting.
      setImmediate(() => resolve({ code, stderr, stdout }));
    }),
  );
  return {
    child,
    output: () => stdout + stderr,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = (stdout + stderr).split('\n').find((l) => pattern.test(l));
          if (line === undefined) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${stdout}${stderr}`));
        }, timeoutMs);
        const onExit = () => {
          cleanup();
          reject(new Error(`process exited before ${pattern}; output:\n${stdout}${stderr}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}
