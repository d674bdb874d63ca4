import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { ADMIN_PASSWORD } from '../helpers/admin-session.js';
import { runEntry, type RunningProcess } from '../helpers/process.js';

/** Cookies a browser would keep, from the Set-Cookie headers of the answers so far. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  keep(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      this.cookies.set(name!, value ?? '');
    }
    return response;
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

// As a link or a form from another site would carry them (percent-encoded once).
const HOSTILE = ['/admin%0a', '/admin/%0d%0aSet-Cookie:%20x=1', '/admin/%1b%7f', '/admin/%C4%80', '/admin/%F0%9F%98%80', '/admin/invitations?q=%C4%80'];

/**
 * The server as `npm start` runs it, sent the links that used to stop it: Node threw ERR_INVALID_CHAR
 * on the Location header outside Fastify's error handling, and the process exited.
 */
describe('hostile links against a running server', () => {
  let run: RunningProcess;
  let base: string;
  let dataDir: string;
  const jar = new CookieJar();

  const get = (path: string) => fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie: jar.header() } }).then((r) => jar.keep(r));
  const postForm = (path: string, body: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body,
    }).then((r) => jar.keep(r));
  const csrfOf = async (response: Response) => /name="_csrf" value="([^"]+)"/.exec(await response.text())![1]!;

  beforeAll(async () => {
    dataDir = tempDir();
    run = runEntry('src/main.ts', { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_USERNAME: 'owner', ADMIN_PASSWORD });
    const listening = await run.waitFor(/Server listening at/);
    base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1]!;
  });

  afterAll(async () => {
    if (run.child.exitCode === null) {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every one of them, and is still up afterwards', async () => {
    const locations: string[] = [];
    // Signed out: the sign-in page puts next= in its form.
    for (const target of HOSTILE) expect((await get(`/admin/login?next=${target}`)).status).toBe(200);

    // The login form with a poisoned hidden field.
    const token = await csrfOf(await get('/admin/login'));
    const login = await postForm('/admin/login', `_csrf=${encodeURIComponent(token)}&username=owner&password=${encodeURIComponent(ADMIN_PASSWORD)}&next=/admin/%C4%80%0a`);
    expect(login.status).toBe(303);
    locations.push(login.headers.get('location')!);

    // Signed in: next= is followed at once; back= after an invitation action.
    for (const target of HOSTILE) {
      const response = await get(`/admin/login?next=${target}`);
      expect(response.status).toBe(303);
      locations.push(response.headers.get('location')!);
    }
    const csrf = await csrfOf(await get('/admin/invitations'));
    for (const back of HOSTILE) {
      const response = await postForm('/admin/invitations', `_csrf=${encodeURIComponent(csrf)}&email=nobody&back=${back}`);
      expect(response.status).toBe(303);
      locations.push(response.headers.get('location')!);
    }
    for (const location of locations) expect(location).toMatch(/^\/admin[\x21-\x7e]*$/);

    // Router errors and huge numbers.
    expect((await get('/join/%ZZ')).status).toBe(400);
    expect((await get(`/join/${'a'.repeat(300)}`)).status).toBe(414);
    expect((await get('/admin/invitations?page=1e309')).status).toBe(200);

    expect(run.child.exitCode).toBeNull();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(run.output()).not.toMatch(/ERR_INVALID_CHAR|Invalid character in header/);
  });
});
