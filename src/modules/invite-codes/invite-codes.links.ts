import net from 'node:net';
import { compile } from '@fastify/proxy-addr';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { addressWarnings } from '../public-address/public-address.js';
import { joinPath, type InviteCodeView } from './invite-codes.models.js';

export type InviteCodeWithLink = InviteCodeView & { link: string };

type LinkConfig = Pick<Config, 'baseUrl' | 'trustProxy' | 'port'> & Partial<Pick<Config, 'basePath'>>;

/** Where invite links point, where that address comes from, and why friends may not open it. */
export interface LinkBase {
  url: string;
  /** Neither BASE_URL nor the public address setting says: Helpr worked it out from the connection. */
  guessed: boolean;
  source: 'environment' | 'settings' | 'proxy' | 'connection';
  /** Plain sentences (public-address.ts): a local, private-network or plain-http address. */
  warnings: string[];
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_AND_PORT = new RegExp(`^(?:(${LABEL}(?:\\.${LABEL})*)|\\[([0-9A-Fa-f:.]+)\\])(?::(\\d{1,5}))?$`);

/** `name[:port]`, `1.2.3.4[:port]` or `[v6][:port]`, nothing else (no user, path, spaces or quotes). */
function isHostAndPort(value: string): boolean {
  const match = HOST_AND_PORT.exec(value);
  if (!match || value.length > 260) return false;
  if (match[2] !== undefined && !net.isIPv6(match[2])) return false;
  return match[3] === undefined || Number(match[3]) <= 65535;
}

const trustFunctions = new Map<string, (address: string, hop: number) => boolean>();

/**
 * Whether this connection comes from a proxy TRUST_PROXY names. Only then is the Host (or
 * X-Forwarded-Host) the proxy passed on believed: a client that reaches Helpr directly, around the
 * proxy, must not choose the links either. A hop count trusts whoever is directly connected, as
 * Fastify does (the README says to use it only when nothing else can reach Helpr).
 */
function fromTrustedProxy(request: FastifyRequest, trustProxy: LinkConfig['trustProxy']): boolean {
  if (trustProxy === false) return false;
  if (typeof trustProxy === 'number') return trustProxy > 0;
  const address = request.socket.remoteAddress;
  // Stryker disable next-line ConditionalExpression: proxy-addr's own check refuses a missing address too (not an IP): the same false
  if (!address) return false;
  const key = trustProxy.join(',');
  let trusts = trustFunctions.get(key);
  // Stryker disable next-line ConditionalExpression: compiling the same list again on every request gives the same answer, only slower
  if (!trusts) trustFunctions.set(key, (trusts = compile(trustProxy)));
  return trusts(address, 0);
}

/** The address and port this connection reached on Helpr's machine, as a URL origin. */
function localOrigin(request: FastifyRequest, fallbackPort: number): string {
  const protocol = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const { localAddress, localPort } = request.socket;
  if (!localAddress || !localPort) return `${protocol}://localhost:${fallbackPort}`; // no real socket (app.inject)
  const address = localAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const host = net.isIPv6(address) ? `[${address.replace('%', '%25')}]` : address;
  return `${protocol}://${host}${localPort === (protocol === 'https' ? 443 : 80) ? '' : `:${localPort}`}`;
}

/**
 * Where friends reach this Helpr: BASE_URL when set, then the public address the owner saved (setup
 * or settings). Without either the link must still not follow a
 * Host header that whoever made the request chose, since the owner copies the link (or prints its
 * QR code) and hands it to friends:
 * - with TRUST_PROXY, the name and scheme the proxy forwarded (Fastify believes X-Forwarded-Host and
 *   -Proto only from the trusted proxies), if it is a plain host[:port];
 * - otherwise the address and port the connection actually reached on this machine. No client can
 *   forge that, and it is what a LAN owner needs: a link that works from any device on the same
 *   network (http://192.168.1.20:8080/join/CODE), even when the owner's browser used a name.
 *   Friends elsewhere (or behind Docker's port mapping) need BASE_URL, which the codes pages say.
 */
export function publicBaseUrl(request: FastifyRequest, config: LinkConfig, publicAddress?: string | null): string {
  return linkBase(request, config, publicAddress).url;
}

export function linkBase(request: FastifyRequest, config: LinkConfig, publicAddress?: string | null): LinkBase {
  const base = (url: string, source: LinkBase['source']): LinkBase => ({ url, source, guessed: source === 'proxy' || source === 'connection', warnings: addressWarnings(url) });
  if (config.baseUrl !== undefined) return base(config.baseUrl, 'environment');
  if (publicAddress) return base(publicAddress, 'settings');
  if (fromTrustedProxy(request, config.trustProxy) && (request.protocol === 'http' || request.protocol === 'https') && isHostAndPort(request.host)) {
    return base(`${request.protocol}://${request.host}${config.basePath ?? ''}`, 'proxy');
  }
  return base(`${localOrigin(request, config.port)}${config.basePath ?? ''}`, 'connection');
}

/** linkBase with the public address as stored now (settings are cached: no database read each time). */
export async function currentLinkBase(request: FastifyRequest, config: LinkConfig, settings: { get(): Promise<{ publicAddress: string | null }> }): Promise<LinkBase> {
  return linkBase(request, config, (await settings.get()).publicAddress);
}

export const withLink = (code: InviteCodeView, base: string): InviteCodeWithLink => ({ ...code, link: `${base}${joinPath(code.code)}` });
