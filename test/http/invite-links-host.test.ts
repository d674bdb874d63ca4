import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { qrSvg } from '../../src/modules/invite-codes/qr.js';
import { apiAuth, type TestApp } from '../helpers/app.js';
import { signIn } from '../helpers/admin-session.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** A real HTTP request, so the Host header (and the server's own address) are what a browser gives. */
function request(port: number, path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const inputValue = (html: string, id: string) => new RegExp(`id="${id}" value="([^"]*)"`).exec(html)?.[1];

describe('invite links and the Host header', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function listening(env: Record<string, string> = {}) {
    t = await createReadyApp(plex.sim, { env });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as AddressInfo).port;
    const session = await signIn(t.app);
    const code = await t.deps.services.codeAdmin.create({ code: 'Movie-Night' }, { name: 'owner', type: 'admin', ip: '127.0.0.1' });
    return { port, session, code };
  }

  it('without BASE_URL or TRUST_PROXY, links use the address the connection reached, whatever Host says', async () => {
    const { port, session, code } = await listening();
    const expected = `http://127.0.0.1:${port}/join/Movie-Night`;
    for (const host of ['evil.example', `evil.example:${port}`, 'helpr.lan']) {
      const page = await request(port, `/admin/codes/${code.id}`, { host, cookie: session.cookie });
      expect(page.status, host).toBe(200);
      expect(inputValue(page.body, 'code-link'), host).toBe(expected);
      expect(page.body).not.toContain('evil.example');
      // The owner learns why, and what to do.
      expect(page.body).toContain(`This link uses <span class="font-monospace">http://127.0.0.1:${port}</span>, the address this page reached`);
      expect(textOf(page.body)).toContain('because no public address is set. If friends reach Helpr at another address');

      const qr = await request(port, `/admin/codes/${code.id}/qr.svg`, { host, cookie: session.cookie });
      expect(qr.body).toBe(await qrSvg(expected));
    }
    // X-Forwarded-Host is not believed either, and the API builds the same links.
    const key = await apiAuth(t!);
    const list = await request(port, '/api/v1/codes', { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', ...key });
    expect(JSON.parse(list.body).items.map((item: { link: string }) => item.link)).toEqual([expected]);
    const created = await request(port, '/api/v1/codes', { host: 'evil.example', 'content-type': 'application/json', ...key }, 'POST', JSON.stringify({ code: 'Book-Club' }));
    expect(created.status).toBe(201);
    expect(JSON.parse(created.body).link).toBe(`http://127.0.0.1:${port}/join/Book-Club`);
  });

  it('with TRUST_PROXY, links use the name and scheme the proxy forwarded, if they are a plain host and http(s)', async () => {
    const { port, session, code } = await listening({ TRUST_PROXY: '127.0.0.1' });
    const via = (headers: Record<string, string>) => request(port, `/admin/codes/${code.id}`, { host: '127.0.0.1', cookie: session.cookie, ...headers });
    const proxied = await via({ 'x-forwarded-host': 'invite.example.org', 'x-forwarded-proto': 'https' });
    expect(inputValue(proxied.body, 'code-link')).toBe('https://invite.example.org/join/Movie-Night');
    expect(inputValue((await via({ 'x-forwarded-host': '[::1]:8443' })).body, 'code-link')).toBe('http://[::1]:8443/join/Movie-Night');
    // Anything else than host[:port] and http(s) falls back to the connection's own address.
    const odd: Array<Record<string, string>> = [{ 'x-forwarded-host': 'evil.example/phish?x=' }, { 'x-forwarded-host': 'user@evil.example' }, { 'x-forwarded-host': 'a b' }, { 'x-forwarded-host': 'h:99999' }, { 'x-forwarded-host': 'ok.example', 'x-forwarded-proto': 'javascript' }];
    for (const headers of odd) {
      const page = await via(headers);
      expect(page.status).toBe(200);
      expect(inputValue(page.body, 'code-link'), JSON.stringify(headers)).toBe(`http://127.0.0.1:${port}/join/Movie-Night`);
    }
  });

  it('with TRUST_PROXY, a client that reaches Helpr around the proxy does not choose the links', async () => {
    const { port, session, code } = await listening({ TRUST_PROXY: '10.9.9.9' });
    const direct: Array<Record<string, string>> = [{ host: 'evil.example' }, { host: '127.0.0.1', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }];
    for (const headers of direct) {
      const page = await request(port, `/admin/codes/${code.id}`, { cookie: session.cookie, ...headers });
      expect(inputValue(page.body, 'code-link'), JSON.stringify(headers)).toBe(`http://127.0.0.1:${port}/join/Movie-Night`);
    }
  });

  it('with BASE_URL, links use it and the page shows no hint', async () => {
    const { port, session, code } = await listening({ BASE_URL: 'https://invite.example.com' });
    const page = await request(port, `/admin/codes/${code.id}`, { host: 'evil.example', cookie: session.cookie });
    expect(inputValue(page.body, 'code-link')).toBe('https://invite.example.com/join/Movie-Night');
    expect(page.body).not.toContain('BASE_URL');
  });
});
