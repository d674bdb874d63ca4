import { XMLParser } from 'fast-xml-parser';
import type { PlexSimulator } from './simulator.js';

/** Helpers shared by the simulator's own tests: plain fetch plus an XML parser that keeps attributes. */
const REPEATED = new Set(['Section', 'SharedServer', 'User', 'Server', 'Directory', 'Location', 'Device', 'Connection']);
['resource', 'connection', 'error', 'feature', 'role'].forEach((name) => REPEATED.add(name));

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  htmlEntities: true,
  // Elements that may repeat are always arrays, so a single child does not change the shape.
  isArray: (name) => REPEATED.has(name),
});

export type Xml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const parseXml = (text: string): Xml => parser.parse(text) as Xml;

export interface SimResponse {
  status: number;
  headers: Headers;
  contentType: string;
  text: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
  xml(): Xml;
}

export const CLIENT_ID = 'test-client-id';

/** Builds the headers a well-behaved client sends; pass `json: false` to get XML from v2. */
export function plexHeaders(token?: string, { json = true, clientId = CLIENT_ID } = {}): Record<string, string> {
  return {
    ...(token ? { 'X-Plex-Token': token } : {}),
    ...(clientId ? { 'X-Plex-Client-Identifier': clientId } : {}),
    'X-Plex-Product': 'Helpr tests',
    ...(json ? { Accept: 'application/json' } : {}),
  };
}

export async function send(url: string, init: RequestInit = {}): Promise<SimResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    contentType: response.headers.get('content-type') ?? '',
    text,
    json: () => JSON.parse(text),
    xml: () => parseXml(text),
  };
}

export function jsonBody(body: unknown, headers: Record<string, string>): RequestInit {
  return { body: JSON.stringify(body), headers: { ...headers, 'Content-Type': 'application/json' } };
}

/** A JSON request to plex.tv with an account's headers (the owner's by default). */
export function sendJson(sim: PlexSimulator, method: string, path: string, body: unknown, token = sim.ownerToken) {
  return plexTv(sim, path, { method, ...jsonBody(body, plexHeaders(token)) });
}

/** The host a client calls for `path`: clients.plex.tv for the v2 shared_servers family, else plex.tv. */
export const hostFor = (sim: PlexSimulator, path: string): string =>
  path.startsWith('/api/v2/shared_servers') ? sim.clientsPlexTvUrl : sim.plexTvUrl;

/** `path` on its host (hostFor) with the owner's headers unless told otherwise. */
export const plexTv = (sim: PlexSimulator, path: string, init: RequestInit = {}): Promise<SimResponse> =>
  send(`${hostFor(sim, path)}${path}`, { headers: plexHeaders(sim.ownerToken), ...init });
