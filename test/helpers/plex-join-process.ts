import fs from 'node:fs';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { PlexSimulator } from '../../tools/plex-sim/index.js';
import { cookiesOf } from './browser-form.js';

/** Reads a running Helpr's SQLite file as it is now (read-only; Helpr may be writing it: WAL). */
export function withDb<T>(dbFile: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * A friend on a running Helpr's `/` (at `base`, PLEX_APP_URL the simulator), as a browser without
 * JavaScript: Continue with Plex (303 to the sign-in page, forwardUrl back to Helpr), the PIN
 * approved on plex.tv for a new account `username`, then the sign-in's status polled until done. Returns the request's id, the
 * account's id and the token plex.tv gave Helpr for the friend.
 */
export async function joinWithPlexOverHttp(base: string, sim: PlexSimulator, username: string): Promise<{ id: string; accountId: number; friendToken: string }> {
  const account = sim.control.addAccount({ username, email: `${username}@example.com` });
  const page = await fetch(`${base}/`);
  const html = await page.text();
  expect(html).toContain('action="/join-with-plex"');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(csrf).toBeTruthy();
  const started = await fetch(`${base}/join-with-plex`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookiesOf(page, new Map()), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf! }).toString(),
  });
  await started.arrayBuffer();
  expect(started.status).toBe(303);
  const location = started.headers.get('location') ?? '';
  // PLEX_APP_URL points at the simulator's stand-in for app.plex.tv's sign-in page.
  expect(location.startsWith(`${sim.plexTvUrl}/auth`), location).toBe(true);
  const pinCode = /[?&]code=([^&]+)/.exec(location)?.[1];
  const forward = decodeURIComponent(/[?&]forwardUrl=([^&]+)/.exec(location)?.[1] ?? '');
  const signIn = new RegExp(`^${base}/join-with-plex/([A-Za-z0-9_-]{22})/return$`).exec(forward)?.[1];
  expect(pinCode && signIn, location).toBeTruthy();

  const { authToken } = sim.control.approvePin({ code: pinCode }, username);
  let redirect: string | undefined;
  await expect
    .poll(
      async () => {
        const status = await fetch(`${base}/join-with-plex/${signIn}/status`, { headers: { accept: 'application/json' } });
        const state = (await status.json()) as { state: string; redirect?: string };
        redirect = state.redirect;
        return state.state;
      },
      { timeout: 15_000, interval: 250 },
    )
    .toBe('done');
  const id = /^\/requests\/([A-Za-z0-9_-]{22})$/.exec(redirect ?? '')?.[1];
  expect(id, redirect).toBeTruthy();
  return { id: id!, accountId: account.id, friendToken: authToken };
}

/**
 * The friend's token is gone: no friend_tokens row, no column of any table holds it, the database
 * file (and its WAL) never had it in plain text.
 */
export function expectFriendTokenGone(dbFile: string, friendToken: string): void {
  withDb(dbFile, (db) => {
    expect(db.prepare('SELECT COUNT(*) AS n FROM friend_tokens').get()).toEqual({ n: 0 });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    for (const { name } of tables) expect(JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all()), name).not.toContain(friendToken);
  });
  for (const file of [dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f))) {
    expect(fs.readFileSync(file).includes(friendToken), file).toBe(false);
  }
}
