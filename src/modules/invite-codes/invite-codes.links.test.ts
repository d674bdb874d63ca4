import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { TrustProxy } from '../../config.js';
import { linkBase, publicBaseUrl } from './invite-codes.links.js';

/**
 * Where invite links point for a given connection. A real socket cannot be made to arrive over TLS,
 * on port 80 or from another machine in a test, so the request here is the few fields linkBase reads.
 */
interface Connection {
  remoteAddress?: string;
  localAddress?: string;
  localPort?: number;
  encrypted?: boolean;
  /** What Fastify made of Host / X-Forwarded-Host and the scheme. */
  host?: string;
  protocol?: string;
}

function requestFrom(connection: Connection): FastifyRequest {
  const { host = 'evil.example', protocol = 'http', ...socket } = connection;
  return { host, protocol, socket } as unknown as FastifyRequest;
}

const config = (trustProxy: TrustProxy = false, baseUrl?: string) => ({ trustProxy, baseUrl, port: 5055 });
const linkFor = (connection: Connection, trustProxy: TrustProxy = false) => linkBase(requestFrom(connection), config(trustProxy));

describe('invite link base', () => {
  it('takes BASE_URL first, then the saved public address, and says where each came from', () => {
    const request = requestFrom({ localAddress: '192.168.1.20', localPort: 8080 });
    expect(linkBase(request, config(false, 'https://invite.example.com'), 'https://saved.example.com')).toMatchObject({ url: 'https://invite.example.com', source: 'environment', guessed: false });
    expect(linkBase(request, config(false), 'https://saved.example.com')).toMatchObject({ url: 'https://saved.example.com', source: 'settings', guessed: false });
    expect(linkBase(request, config(false), null)).toMatchObject({ url: 'http://192.168.1.20:8080', source: 'connection', guessed: true });
    expect(publicBaseUrl(request, config(false), 'https://saved.example.com')).toBe('https://saved.example.com');
  });

  it('leaves the default port out of the link and keeps any other', () => {
    expect(linkFor({ localAddress: '192.168.1.20', localPort: 80 }).url).toBe('http://192.168.1.20');
    expect(linkFor({ localAddress: '192.168.1.20', localPort: 443 }).url).toBe('http://192.168.1.20:443');
    expect(linkFor({ localAddress: '192.168.1.20', localPort: 443, encrypted: true }).url).toBe('https://192.168.1.20');
    expect(linkFor({ localAddress: '192.168.1.20', localPort: 80, encrypted: true }).url).toBe('https://192.168.1.20:80');
    expect(linkFor({ localAddress: '192.168.1.20', localPort: 8443, encrypted: true }).url).toBe('https://192.168.1.20:8443');
  });

  it('writes an IPv4 address reached over an IPv6 socket as plain IPv4, and IPv6 in brackets with its zone escaped', () => {
    expect(linkFor({ localAddress: '::ffff:192.168.100.200', localPort: 8080 }).url).toBe('http://192.168.100.200:8080');
    expect(linkFor({ localAddress: 'fe80::ffff:10.20.30.40', localPort: 8080 }).url).toBe('http://[fe80::ffff:10.20.30.40]:8080');
    expect(linkFor({ localAddress: '2001:db8::20', localPort: 8080 }).url).toBe('http://[2001:db8::20]:8080');
    expect(linkFor({ localAddress: 'fe80::1%eth0', localPort: 8080 }).url).toBe('http://[fe80::1%25eth0]:8080');
    // Not an IPv4 address after all (a zone follows it): it stays the IPv6 address it is.
    expect(linkFor({ localAddress: '::ffff:192.168.100.200%eth0', localPort: 8080 }).url).toBe('http://[::ffff:192.168.100.200%25eth0]:8080');
  });

  it('without a real socket (app.inject) falls back to localhost and the configured port', () => {
    expect(linkFor({}).url).toBe('http://localhost:5055');
  });

  it('believes the forwarded name only from a proxy TRUST_PROXY names, by hop count or by address', () => {
    const proxied = { remoteAddress: '10.0.0.1', localAddress: '192.168.1.20', localPort: 8080, host: 'invite.example.org', protocol: 'https' };
    expect(linkFor(proxied, 1)).toMatchObject({ url: 'https://invite.example.org', source: 'proxy', guessed: true });
    expect(linkFor(proxied, 0)).toMatchObject({ url: 'http://192.168.1.20:8080', source: 'connection' });
    expect(linkFor(proxied, false).source).toBe('connection');
    expect(linkFor(proxied, ['10.0.0.1']).source).toBe('proxy');
    expect(linkFor(proxied, ['10.0.0.2']).source).toBe('connection');
    // A connection whose peer is gone has no address to trust.
    expect(linkFor({ ...proxied, remoteAddress: undefined }, ['10.0.0.1']).source).toBe('connection');
  });

  it('keeps two TRUST_PROXY lists apart even when their addresses run together', () => {
    const proxied = { remoteAddress: '10.0.0.1', localAddress: '192.168.1.20', localPort: 8080, host: 'invite.example.org' };
    expect(linkFor(proxied, ['10.0.0.1', '10.0.0.2']).source).toBe('proxy');
    expect(linkFor(proxied, ['10.0.0.11', '0.0.0.2']).source).toBe('connection');
  });

  it('takes a forwarded host only when it is a plain name or address with a port up to 65535', () => {
    const via = (host: string) => linkFor({ remoteAddress: '10.0.0.1', localAddress: '192.168.1.20', localPort: 8080, host }, 1).url;
    const label = 'a'.repeat(63);
    const longest = [label, label, label, label].join('.') + ':8080'; // 260 characters
    expect(longest).toHaveLength(260);
    expect(via(longest)).toBe(`http://${longest}`);
    expect(via(`a.${longest}`)).toBe('http://192.168.1.20:8080');
    expect(via('helpr.lan:65535')).toBe('http://helpr.lan:65535');
    expect(via('helpr.lan:65536')).toBe('http://192.168.1.20:8080');
    expect(via('[2001:db8::1]:8443')).toBe('http://[2001:db8::1]:8443');
    // Brackets hold an IPv6 address or nothing the link may use.
    expect(via('[1.2.3.4]')).toBe('http://192.168.1.20:8080');
    expect(via('[abc]:8080')).toBe('http://192.168.1.20:8080');
  });
});
