import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { expectNoInternals, invitationRows, requestIdOf, sharePosts, submitRequest, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

describe('limits on invite requests per address', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('refuses the 6th request within 15 minutes with 429, Retry-After and when to try again', async () => {
    t = await createReadyApp(plex.sim);
    await t.deps.services.settings.update({ siteTitle: 'Movie Night at Sam’s' });
    for (let i = 1; i <= 5; i++) requestIdOf(await submitRequest(t.app, { email: `friend${i}@example.com` }, { ip: '203.0.113.7' }));

    const refused = await submitRequest(t.app, { email: 'friend6@example.com' }, { ip: '203.0.113.7' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('900');
    expect(refused.headers['content-type']).toContain('text/html');
    // Friends read the owner's site title and, as the headline, what happened and what to do: no "429", no "Helpr".
    expect(refused.body).toMatch(/<h1[^>]*>Too many requests from your network, wait 15 minutes and try again\.<\/h1>/);
    expect(textOf(refused.body)).toContain('Movie Night at Sam’s');
    expect(textOf(refused.body)).not.toMatch(/\b429\b|Slow down/);
    expect(refused.body).not.toMatch(/<span>Helpr<\/span>/);
    expectNoInternals(refused.body);
    expect(sharePosts(plex.sim)).toHaveLength(5);
    expect(await invitationRows(t.deps)).toHaveLength(5);

    // Another address is not affected.
    requestIdOf(await submitRequest(t.app, { email: 'friend6@example.com' }, { ip: '198.51.100.9' }));
    // Later in the window the wait shown is shorter; after the window the address may ask again.
    t.clock.advance(10 * 60_000);
    const later = await submitRequest(t.app, { email: 'friend7@example.com' }, { ip: '203.0.113.7' });
    expect(later.statusCode).toBe(429);
    expect(Number(later.headers['retry-after'])).toBeLessThanOrEqual(300);
    expect(textOf(later.body)).toContain('wait 5 minutes and try again.');
    t.clock.advance(5 * 60_000 + 1000);
    requestIdOf(await submitRequest(t.app, { email: 'friend7@example.com' }, { ip: '203.0.113.7' }));
  });

  it('counts invalid submissions too, so the form cannot be hammered with bad input', async () => {
    t = await createReadyApp(plex.sim);
    for (let i = 0; i < 5; i++) expect((await submitRequest(t.app, { email: 'a b' })).statusCode).toBe(400);
    expect((await submitRequest(t.app, { email: 'friend@example.com' })).statusCode).toBe(429);
    expect(sharePosts(plex.sim)).toHaveLength(0);
  });

  it('takes the limit from INVITE_RATE_LIMIT', async () => {
    t = await createReadyApp(plex.sim, { env: { INVITE_RATE_LIMIT: '2/1m' } });
    requestIdOf(await submitRequest(t.app, { email: 'friend@example.com' }));
    requestIdOf(await submitRequest(t.app, { email: 'bob@example.com' }));
    const refused = await submitRequest(t.app, { email: 'alice@example.com' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('60');
    expect(textOf(refused.body)).toContain('Too many requests from your network, wait 60 seconds and try again.');
  });

  it('stops an address after 10 wrong codes, even with a right code, while others still get in', async () => {
    t = await createReadyApp(plex.sim, { requireCode: true, env: { INVITE_RATE_LIMIT: '100/15m' } });
    const code = await t.deps.services.codes.createCode({});
    const guesser = { ip: '203.0.113.66' };
    for (let i = 0; i < 10; i++) {
      const wrong = await submitRequest(t.app, { email: 'friend@example.com', code: `GUESS-${i}` }, guesser);
      expect(wrong.statusCode).toBe(404);
      expect(wrong.body).toContain('id="code-error">This invite code does not exist.');
    }
    const blocked = await submitRequest(t.app, { email: 'friend@example.com', code: code.code }, guesser);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe('900');
    expect(textOf(blocked.body)).toContain('Too many requests from your network, wait 15 minutes and try again.');
    expect(await invitationRows(t.deps)).toEqual([]);
    expect((await t.deps.services.codes.getCode(code.id)).uses).toBe(0);

    requestIdOf(await submitRequest(t.app, { email: 'bob@example.com', code: code.code }, { ip: '198.51.100.9' }));
    t.clock.advance(15 * 60_000 + 1000);
    requestIdOf(await submitRequest(t.app, { email: 'friend@example.com', code: code.code }, guesser));
    expect(sharePosts(plex.sim)).toHaveLength(2);
  });

  it('does not count right codes or a missing code as wrong ones', async () => {
    t = await createReadyApp(plex.sim, { requireCode: true, env: { INVITE_RATE_LIMIT: '100/15m' } });
    const code = await t.deps.services.codes.createCode({});
    for (let i = 0; i < 11; i++) {
      expect((await submitRequest(t.app, { email: 'friend@example.com', code: '' })).statusCode).toBe(400);
    }
    for (let i = 0; i < 11; i++) {
      const response = await submitRequest(t.app, { email: `friend${i}@example.com`, code: code.code });
      expect(response.statusCode, `request ${i + 1}`).toBe(303);
    }
  });
});
