import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

const HSTS = 'strict-transport-security';
const URLS = ['/', '/admin/login', '/api/openapi.json', '/no-such-page', '/api/v1/codes'];

describe('security headers', () => {
  let direct: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    direct = await createTestApp();
    proxied = await createTestApp({ TRUST_PROXY: '10.0.0.5' });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  it('sends Strict-Transport-Security only on answers to requests that came over HTTPS', async () => {
    for (const url of URLS) {
      // Plain HTTP, as on a LAN install: no HSTS.
      expect((await direct.app.inject(url)).headers[HSTS], url).toBeUndefined();
      expect((await proxied.app.inject({ url, remoteAddress: '10.0.0.5' })).headers[HSTS], url).toBeUndefined();
      // HTTPS at the trusted proxy: HSTS.
      const https = await proxied.app.inject({ url, remoteAddress: '10.0.0.5', headers: { 'x-forwarded-proto': 'https' } });
      expect(https.headers[HSTS], url).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
      // Anyone else claiming HTTPS is not believed.
      const claimed = { 'x-forwarded-proto': 'https' };
      expect((await direct.app.inject({ url, headers: claimed })).headers[HSTS], url).toBeUndefined();
      expect((await proxied.app.inject({ url, remoteAddress: '198.51.100.7', headers: claimed })).headers[HSTS], url).toBeUndefined();
    }
  });

  it("forbids framing with X-Frame-Options: DENY, as the CSP's frame-ancestors 'none' does", async () => {
    for (const url of URLS) {
      const response = await direct.app.inject(url);
      expect(response.headers['x-frame-options'], url).toBe('DENY');
      expect(String(response.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
    }
  });
});
