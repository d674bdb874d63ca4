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
    await run.waitFor(/BASE_URL is empty/);
    expect(run.output()).toContain(`Helpr is listening on ${helpr.url}`);
    expect(run.output()).toContain(`open ${helpr.url}/admin to finish setup`);

    // A request Helpr has read the headers of (it answered 100 Continue) but not yet the body.
    const body = 'username=owner&password=wrong';
    // Kept alive like a browser's: Helpr must not wait for the client to let go of the connection.
    const agent = new http.Agent({ keepAlive: true, timeout: 60_000 });
    const request = http.request(`${helpr.url}/admin/login`, {
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

    run.child.kill('SIGTERM');
    await run.waitFor(/"signal":"SIGTERM".*shutting down/);
    request.end(body);
    const response = await answered;
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(500);
    expect(response.text.length).toBeGreaterThan(0);

    const { code } = await run.exited;
    agent.destroy();
    expect(code).toBe(0);
    expect(alive(helpr.pid)).toBe(false);
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
