import { describe, expect, it } from 'vitest';
import { plexFailure, TEST_CLIENT_ID, TRANSPORTS, useSimulator } from '../../test/helpers/plex-sim.js';
import { manualClock } from '../../tools/plex-sim/index.js';

describe.each(TRANSPORTS)('over $name', ({ tls }) => {
  // PIN expiry is judged by the simulator's clock, so the test moves time instead of waiting.
  const clock = manualClock('2026-03-01T10:00:00Z');
  const plex = useSimulator({ clock, tls });

  describe('Sign in with Plex (E9 PIN flow)', () => {
    it('creates a strong PIN without a token and with no auth token yet', async () => {
      const pin = await plex.client().tv.createPin();
      expect(pin.id).toEqual(expect.any(Number));
      // A strong code is long (the OAuth page flow); a short one is the 4-character plex.tv/link code.
      expect(pin.code.length).toBeGreaterThan(4);
      expect(pin.authToken ?? null).toBeNull();

      const [call] = plex.sim.control.requestLog({ path: '/api/v2/pins', method: 'POST' });
      expect(call!.query).toMatchObject({ strong: 'true' });
      expect(call!.headers['x-plex-token']).toBeUndefined();
      expect(call!.headers).toMatchObject({ 'x-plex-client-identifier': TEST_CLIENT_ID, 'x-plex-product': 'Helpr' });
    });

    it('builds the app.plex.tv URL with the client id, the code and the product', async () => {
      const client = plex.client();
      const pin = await client.tv.createPin();
      expect(client.tv.authUrl(pin)).toBe(
        `https://app.plex.tv/auth#?clientID=${TEST_CLIENT_ID}&code=${pin.code}&context%5Bdevice%5D%5Bproduct%5D=Helpr`,
      );
    });

    it('uses an injected app URL, encodes odd client ids and adds a forward URL when given', () => {
      const client = plex.client({ appUrl: 'http://127.0.0.1:9/app', clientIdentifier: 'id with&odd=chars' });
      const url = client.tv.authUrl({ code: 'abc123' }, 'https://helpr.example/admin/plex?step=2');
      expect(url.startsWith('http://127.0.0.1:9/app/auth#?')).toBe(true);
      const params = new URLSearchParams(url.slice(url.indexOf('#?') + 2));
      expect(Object.fromEntries(params)).toEqual({
        clientID: 'id with&odd=chars',
        code: 'abc123',
        'context[device][product]': 'Helpr',
        forwardUrl: 'https://helpr.example/admin/plex?step=2',
      });
    });

    it('reports no token before approval, then the token, which reads the approving account', async () => {
      const client = plex.client();
      const pin = await client.tv.createPin();
      expect((await client.tv.checkPin(pin.id)).authToken ?? null).toBeNull();

      const alice = plex.sim.accounts.friends.find((f) => f.username === 'alice')!;
      const { authToken } = plex.sim.control.approvePin({ id: pin.id }, alice.username);
      const checked = await client.tv.checkPin(pin.id);
      expect(checked.authToken).toBe(authToken);
      expect(await client.tv.getAccount(checked.authToken!)).toMatchObject({ id: alice.id, username: 'alice' });

      // Create and poll must carry the same installation id, or plex.tv does not know the PIN.
      const ids = plex.sim.control.requestLog({ path: '/api/v2/pins' }).map((c) => c.headers['x-plex-client-identifier']);
      expect(new Set(ids)).toEqual(new Set([TEST_CLIENT_ID]));
    });

    it('answers not_found 404 code 1020 once the PIN expired', async () => {
      const client = plex.client();
      const pin = await client.tv.createPin();
      clock.advance(899_000);
      expect((await client.tv.checkPin(pin.id)).id).toBe(pin.id);
      clock.advance(2_000);
      const error = await plexFailure(client.tv.checkPin(pin.id), 'not_found');
      expect(error).toMatchObject({ status: 404, code: 1020 });
      expect(error.message).toContain('Code not found or expired');
    });

    it('does not find a PIN polled by another installation', async () => {
      const pin = await plex.client().tv.createPin();
      const error = await plexFailure(plex.client({ clientIdentifier: 'someone-else' }).tv.checkPin(pin.id), 'not_found');
      expect(error.code).toBe(1020);
    });
  });
});
