import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { signalBursts } from './stop-signals.js';

/**
 * `helpr serve` (what `npm start` runs): Helpr with the memory settings it was measured with
 * (README, "npm start"), on every platform. V8 flags and MALLOC_ARENA_MAX only take effect when a
 * process starts, so when they are missing the launcher runs Helpr in a child process that has
 * them, forwards signals to it and exits with its code. When they are already there (set by the
 * operator, or in that child), Helpr runs in the same process: one process, nothing to forward.
 */
export const NODE_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=256'] as const;
export const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export interface Missing {
  flags: string[];
  env: Record<string, string>;
}

type Env = Record<string, string | undefined>;

/** What this process lacks; undefined when Helpr can run in it as it is. A value already set wins. */
export function missingSettings(proc: { execArgv: string[]; env: Env; platform: NodeJS.Platform }): Missing | undefined {
  const given = [...proc.execArgv, ...(proc.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const flags = NODE_FLAGS.filter((flag) => !given.some((arg) => arg.split('=')[0] === flag.split('=')[0]));
  // glibc's malloc arenas: only Linux has them.
  const env: Record<string, string> = proc.platform === 'linux' && !proc.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: '2' } : {};
  return flags.length > 0 || Object.keys(env).length > 0 ? { flags, env } : undefined;
}

export interface LaunchProcess {
  execPath: string;
  execArgv: string[];
  argv: string[];
  env: Env;
  platform: NodeJS.Platform;
  ppid: number;
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): never;
}

/** Starts this same script again with what was missing, and stands in for it until it ends. */
export function runChild(proc: LaunchProcess, missing: Missing): void {
  const child = spawn(proc.execPath, [...missing.flags, ...proc.execArgv, ...proc.argv.slice(1)], {
    env: { ...proc.env, ...missing.env },
    // A channel the child watches: if this launcher dies without passing a signal on, Helpr stops.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Its own process group on POSIX: Ctrl+C in a terminal reaches the launcher only, which passes
    // it on once (a second SIGINT would make Helpr stop at once instead of finishing requests).
    detached: proc.platform !== 'win32',
  });
  let forwarded = false;
  const passOn = stopForwarder(child, proc.platform);
  const forward = (signal: NodeJS.Signals) => {
    forwarded = true;
    passOn(signal);
  };
  for (const signal of FORWARDED_SIGNALS) proc.on(signal, forward);
  // `npm start` runs this through `sh -c`, and when npm is stopped, sh dies without passing the
  // signal on: the launcher would be left running with Helpr. Under npm, a new parent means that.
  if (proc.env.npm_lifecycle_event) {
    const parent = proc.ppid;
    const watch = setInterval(() => {
      if (proc.ppid !== parent && !forwarded) forward('SIGTERM');
    }, 500);
    watch.unref();
  }
  child.on('error', (error) => {
    console.error(`helpr: could not start ${proc.execPath}: ${error.message}`);
    proc.exit(1);
  });
  child.on('exit', (code, signal) => {
    proc.exit(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
  });
}

type Child = Pick<ChildProcess, 'exitCode' | 'signalCode' | 'connected' | 'kill' | 'disconnect'>;

/**
 * Passes a stop request on to Helpr. systemd's default stop signals the launcher and Helpr together,
 * and a terminal may send a burst: only the first signal of a burst is passed on (Helpr would take a
 * second one as "stop now"). On Windows kill() is TerminateProcess, no graceful stop at all: closing
 * the channel asks Helpr to stop (stopWhenLauncherGone); once it is closed, a later request is the
 * forced stop it stands for.
 */
export function stopForwarder(child: Child, platform: NodeJS.Platform, burst = signalBursts()): (signal: NodeJS.Signals) => void {
  return (signal) => {
    if (burst() === 'repeat' || child.exitCode !== null || child.signalCode !== null) return;
    if (platform === 'win32' && child.connected) child.disconnect();
    else child.kill(signal);
  };
}

/** In the child: stop like on SIGTERM when the launcher is gone. */
export function stopWhenLauncherGone(proc: NodeJS.Process, stop: (signal: NodeJS.Signals) => void): void {
  if (!proc.connected) return;
  proc.on('disconnect', () => stop('SIGTERM'));
  // The channel must not keep the process alive by itself.
  proc.channel?.unref();
}
