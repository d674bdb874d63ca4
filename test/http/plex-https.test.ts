import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { sharePosts, submitAndFollow, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

// plex.tv as it really is: HTTPS with HTTP/2. The media server stays plain HTTP on the LAN.
describe('Helpr against an HTTPS, HTTP/2 plex.tv', () => {
  const plex = useSimulator({ tls: true });
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('sends a friend their invite over HTTP/2', async () => {
    t = await createReadyApp(plex.sim);
    const { page } = await submitAndFollow(t.app, { email: 'friend@example.com' });
    expect(textOf(page.body)).toContain('Invite sent to friend@example.com.');
    expect(sharePosts(plex.sim)).toHaveLength(1);
    const versions = new Set(plex.sim.control.requestLog({ target: 'plex-tv' }).map((entry) => entry.httpVersion));
    expect(versions).toEqual(new Set(['2.0']));
  });

  it('passes the connection test: plex.tv over HTTP/2, the media server over HTTP/1.1', async () => {
    t = await createReadyApp(plex.sim);
    const report = await t.deps.services.diagnostics.run();
    expect(report.ok).toBe(true);
    const { plexTv, pms } = plex.sim.control.counters();
    expect(Object.keys(plexTv.byHttpVersion)).toEqual(['2.0']);
    expect(Object.keys(pms.byHttpVersion)).toEqual(['1.1']);
  });

  it('does not trust the self-signed plex.tv unless given its certificate', async () => {
    const env = simulatorEnv(plex.sim);
    t = await createTestApp(env);
    const report = await t.deps.services.diagnostics.run();
    expect(report.ok).toBe(false);
    expect(JSON.stringify(report)).toContain('self-signed certificate');
    expect(plex.sim.control.counters().plexTv.total).toBe(0);
  });
});
