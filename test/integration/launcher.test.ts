import fs from 'node:fs';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { tempDir } from '../helpers/app.js';
import { runEntry } from '../helpers/process.js';

/** `npm start` runs `helpr serve`; under test the same entry runs from source (src/serve.ts via tsx). */
const SERVE = 'src/serve.ts';
const onLinux = process.platform === 'linux';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

// A test that fails half-way must not leave Helpr running: SIGTERM reaches it through the launcher.
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

function serveEnv(): Record<string, string> {
  const dataDir = tempDir();
  dirs.push(dataDir);
  return { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' };
}

/** The pid and address from Helpr's "Server listening" log line. */
function listeningOf(line: string): { pid: number; url: string } {
  const entry = JSON.parse(line) as { pid: number; msg: string };
  return { pid: entry.pid, url: /(http:\/\/127\.0\.0\.1:\d+)/.exec(entry.msg)![1]! };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A request Helpr has read the headers of (it answered 100 Continue) but not yet the body; kept
 * alive like a browser's, so Helpr must not wait for the client to let go of the connection.
 * `finishAnswered` sends the body and checks that a real answer comes back.
 */
async function requestInFlight(url: string): Promise<{ finishAnswered(): Promise<void> }> {
  const body = 'username=owner&password=wrong';
  const agent = new http.Agent({ keepAlive: true, timeout: 60_000 });
  const request = http.request(`${url}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
    agent,
  });
  const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode!, text }));
    });
    request.on('error', reject);
  });
  await new Promise<void>((resolve) => {
    request.once('continue', resolve);
    request.flushHeaders();
  });
  return {
    async finishAnswered() {
      request.end(body);
      try {
        const response = await answered;
        expect(response.status).toBeGreaterThanOrEqual(200);
        expect(response.status).toBeLessThan(500);
        expect(response.text.length).toBeGreaterThan(0);
      } finally {
        agent.destroy();
      }
    },
  };
}

describe('helpr serve (npm start)', () => {
  it('runs Helpr in a child with its memory settings, passes SIGTERM on, lets a request in flight finish, and leaves nothing running', async () => {
    const run = runEntry(SERVE, serveEnv());
    children.push(run.child);
    const helpr = listeningOf(await run.waitFor(/Server listening at/));
    expect(helpr.pid).not.toBe(run.child.pid);
    if (onLinux) {
      expect(fs.readFileSync(`/proc/${helpr.pid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining(['--max-semi-space-size=4', '--max-old-space-size=256']));
      expect(fs.readFileSync(`/proc/${helpr.pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
    }
    await run.waitFor(/No public address is set/);
    expect(run.output()).toContain(`Helpr is listening on ${helpr.url}`);
    expect(run.output()).toContain(`open ${helpr.url}/admin to finish setup`);

    const request = await requestInFlight(helpr.url);

    run.child.kill('SIGTERM');
    await run.waitFor(/"signal":"SIGTERM".*shutting down/);
    await request.finishAnswered();

    const { code, stderr } = await run.exited;
    expect(code).toBe(0);
    expect(alive(helpr.pid)).toBe(false);
    // Besides the JSON log on stdout, plain lines for a person on stderr.
    expect(stderr.split('\n')).toEqual(
      expect.arrayContaining([`Helpr is listening on ${helpr.url}`, `Setup is not finished: open ${helpr.url}/admin to finish setup`, expect.stringMatching(/^Warning: No public address is set: /)]),
    );
  });

  it('takes SIGTERM to the launcher and to Helpr at once (systemd stopping the service) as one stop', async () => {
    const run = runEntry(SERVE, serveEnv());
    children.push(run.child);
    const helpr = listeningOf(await run.waitFor(/Server listening at/));
    const request = await requestInFlight(helpr.url);

    // systemd's KillMode=control-group: every process of the service gets SIGTERM, and the launcher
    // passes its own on. Signals sent together may merge into one, so these come once Helpr is stopping.
    process.kill(helpr.pid, 'SIGTERM');
    await run.waitFor(/"signal":"SIGTERM".*shutting down/);
    process.kill(run.child.pid!, 'SIGTERM');
    process.kill(helpr.pid, 'SIGTERM');
    process.kill(run.child.pid!, 'SIGTERM');
    await request.finishAnswered();

    expect((await run.exited).code).toBe(0);
    expect(run.output().match(/shutting down/g)).toHaveLength(1);
  });

  it('runs in one process when the settings are already there', async () => {
    const run = runEntry(SERVE, { ...serveEnv(), MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=256' });
    children.push(run.child);
    const helpr = listeningOf(await run.waitFor(/Server listening at/));
    expect(helpr.pid).toBe(run.child.pid);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  });

  it.runIf(process.platform !== 'win32')('stops Helpr when npm is stopped (its `sh -c` dies without passing the signal on)', async () => {
    // What `npm start` does: npm runs the script through `sh -c` and passes SIGTERM to that shell only.
    const shell = spawn('sh', ['-c', `"${process.execPath}" --import tsx ${SERVE}; echo "shell ended"`], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', npm_lifecycle_event: 'start', ...serveEnv() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(shell);
    let output = '';
    const listening = new Promise<string>((resolve) => {
      shell.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const line = output.split('\n').find((l) => l.includes('Server listening at'));
        if (line) resolve(line);
      });
    });
    // The pipe ends only when every process holding it (the launcher and Helpr) has exited.
    const pipeClosed = new Promise<void>((resolve) => shell.stdout.on('end', resolve));
    const helpr = listeningOf(await listening);
    shell.kill('SIGTERM');
    await pipeClosed;
    expect(output).toMatch(/"signal":"SIGTERM".*shutting down/);
    expect(output).not.toContain('shell ended');
    expect(alive(helpr.pid)).toBe(false);
  });
});
