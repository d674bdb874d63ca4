import fs from 'node:fs';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { runEntry } from '../helpers/process.js';

const DEMO = 'tools/demo/main.ts';
const MAIN = 'src/main.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

// A test that fails half-way must not leave its demo running.
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** A temp folder of its own for the demo (TMPDIR), so what it leaves there can be seen. */
function ownTmp(): string {
  const dir = tempDir('helpr-demo-tmp-');
  dirs.push(dir);
  return dir;
}

/** The demo's data directories in `tmp` (tsx keeps its own cache there too). */
const demoData = (tmp: string) => fs.readdirSync(tmp).filter((name) => name.startsWith('helpr-demo-'));

async function takenPort(): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return server;
}

describe('npm run demo', () => {
  it('with its port taken: says to set PORT in one line, and leaves no data behind', async () => {
    const blocker = await takenPort();
    const port = (blocker.address() as net.AddressInfo).port;
    const tmp = ownTmp();
    try {
      const { code, stderr } = await runEntry(DEMO, { TMPDIR: tmp, PORT: String(port) }).exited;
      expect(code).toBe(1);
      expect(stderr).toMatch(new RegExp(`^demo: port ${port} is already in use \\(.*\\); set PORT to another port\\n$`));
      expect(demoData(tmp)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('removes its data when stopped with Ctrl+C', async () => {
    const tmp = ownTmp();
    const run = runEntry(DEMO, { TMPDIR: tmp, PORT: '0' });
    children.push(run.child);
    await run.waitFor(/Press Ctrl\+C to stop/, 30_000);
    expect(demoData(tmp)).toHaveLength(1);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    expect(demoData(tmp)).toEqual([]);
  });
});

describe('a bad HOST', () => {
  it.each([
    ['not-a-host', /^helpr: HOST "not-a-host" is not a known host name \(.+\); set HOST to 0\.0\.0\.0, 127\.0\.0\.1 or one of this machine's addresses\n$/],
    ['192.0.2.1', /^helpr: HOST "192\.0\.2\.1" is not an address of this machine \(.+\); set HOST to 0\.0\.0\.0 \(every address\), 127\.0\.0\.1 \(this machine only\) or one of its addresses\n$/],
    ['http://localhost', /^helpr: Invalid configuration: HOST must be an address or host name of this machine, such as 0\.0\.0\.0, 127\.0\.0\.1 or localhost \(got "http:\/\/localhost"\)\n$/],
  ])('%s stops Helpr with one line naming HOST', async (host, line) => {
    const { code, stderr, stdout } = await runEntry(MAIN, { DATA_DIR: tempDirFor(), HOST: host, PORT: '0', LOG_LEVEL: 'silent' }).exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(line);
    expect(stdout).toBe('');
  });
});

function tempDirFor(): string {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
}
