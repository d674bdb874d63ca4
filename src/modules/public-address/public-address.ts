import net from 'node:net';
import { AppError } from '../../errors.js';

export const PUBLIC_ADDRESS_MAX = 200;

const INVALID = 'Enter the address friends open, like https://invite.example.com (http:// or https://, a name or an IP address, optionally a path; nothing after ? or #).';

/**
 * Checks the public address the owner typed: an http(s) origin with an optional base path (Helpr
 * behind a proxy at https://example.com/invite), nothing else. Returns it without a trailing
 * slash, or null for an empty field (then links fall back to what Helpr can work out).
 */
export function parsePublicAddress(raw: unknown): string | null {
  const typed = typeof raw === 'string' ? raw.trim() : '';
  if (typed === '') return null;
  const fail = (message = INVALID) => new AppError('settings.invalid_address', message, { status: 400, fields: { publicAddress: message } });
  if (typed.length > PUBLIC_ADDRESS_MAX) throw fail(`Keep the address to ${PUBLIC_ADDRESS_MAX} characters or fewer.`);
  if (/\s/.test(typed)) throw fail('An address has no spaces. ' + INVALID);
  if (!/^https?:\/\//i.test(typed)) throw fail('Start the address with https:// (or http://), like https://invite.example.com.');
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    throw fail();
  }
  if (!url.hostname) throw fail();
  if (url.username || url.password) throw fail('Leave out the user name and password: friends open the address as it is.');
  if (url.search || url.hash || typed.includes('?') || typed.includes('#')) throw fail('Leave out everything from ? or #: only the address and an optional path.');
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** The address's host without IPv6 brackets, lower-cased. */
function hostOf(address: string): string | undefined {
  try {
    return new URL(address).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

function ipv4Parts(host: string): number[] | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1] ?? host;
  return net.isIPv4(mapped) ? mapped.split('.').map(Number) : undefined;
}

/** localhost, 127.0.0.0/8, ::1, 0.0.0.0, *.localhost: only this computer. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '::') return true;
  const v4 = ipv4Parts(host);
  return v4 !== undefined && (v4[0] === 127 || v4.every((part) => part === 0));
}

/**
 * Addresses only the home (or office) network reaches: 10/8, 172.16/12, 192.168/16, link-local
 * 169.254/16, carrier-grade NAT 100.64/10, IPv6 fc00::/7 and fe80::/10, and names such networks
 * use (.local, .lan, .home.arpa, .internal, or no dot at all, like "nas").
 */
export function isPrivateNetwork(host: string): boolean {
  const v4 = ipv4Parts(host);
  if (v4) {
    const [a, b] = v4 as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (net.isIPv6(host)) return /^f[cd][0-9a-f]{0,2}:/.test(host) || /^fe[89ab][0-9a-f]?:/.test(host);
  return !host.includes('.') || /\.(?:local|lan|home|home\.arpa|internal|intranet|localdomain)$/.test(host);
}

/**
 * Why friends may not be able to open links on this address, one plain sentence per problem
 * (none when it looks fine). Shown on every page with an invite link or QR code. The address
 * often ends in a port ("…:8080"), so the sentence joins with words, never a second colon.
 */
export function addressWarnings(address: string): string[] {
  const host = hostOf(address);
  if (host === undefined) return [];
  if (isLoopback(host)) {
    return [`${address} only works on the computer Helpr runs on, so friends' phones and computers cannot open it.`];
  }
  if (isPrivateNetwork(host)) {
    return [`Friends outside your home network cannot open ${address}, because it is an address of your own network.`];
  }
  if (address.toLowerCase().startsWith('http://')) {
    return [`${address} uses plain http, so browsers mark the page "Not secure" and what friends type travels unencrypted. Use an https address if you can.`];
  }
  return [];
}
