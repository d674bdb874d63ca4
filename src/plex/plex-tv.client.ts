import type { PlexHttp } from './plex-http.js';
import { plexProductHeaders } from './plex-headers.js';
import { parsePlexXml } from './plex-xml.js';
import {
  accountSchema,
  librarySectionSchema,
  parsePlexJson,
  pinSchema,
  resourceSchema,
  validatePlex,
  type PlexAccount,
  type PlexPin,
  type PlexResource,
} from './plex.schemas.js';
import { z } from 'zod';

export interface PlexTvUrls {
  /** https://plex.tv */
  tvUrl: string;
  /** https://clients.plex.tv */
  clientsUrl: string;
  /** https://app.plex.tv: where the owner approves a PIN. */
  appUrl?: string;
}

/** A library of the owner's server: the media server's local key and plex.tv's global section id. */
export interface PlexLibrary {
  globalId: number;
  key: string;
  title: string;
  type: string;
}

export interface PlexTvContext {
  http: PlexHttp;
  urls: PlexTvUrls;
  clientIdentifier: string;
  timeoutMs?: number;
}

/** Shared request building for the plex.tv calls: product headers, token, JSON or XML. */
export function plexTvRequester(ctx: PlexTvContext) {
  const base = plexProductHeaders(ctx.clientIdentifier);
  return async function call(
    what: string,
    options: { host?: 'tv' | 'clients'; path: string; method?: 'GET' | 'POST' | 'PUT' | 'DELETE'; token?: string; json?: unknown; form?: string; accept?: 'json' | 'xml' },
  ) {
    const headers: Record<string, string> = { ...base, Accept: options.accept === 'xml' ? 'application/xml' : 'application/json' };
    if (options.token) headers['X-Plex-Token'] = options.token;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = options.form;
    }
    const baseUrl = options.host === 'clients' ? ctx.urls.clientsUrl : ctx.urls.tvUrl;
    return ctx.http.send({ what, method: options.method, url: `${baseUrl}${options.path}`, headers, body, timeoutMs: ctx.timeoutMs });
  };
}

export function createPlexTvAccountClient(ctx: PlexTvContext) {
  const call = plexTvRequester(ctx);
  const appUrl = ctx.urls.appUrl ?? 'https://app.plex.tv';

  return {
    /** E1: the account a token belongs to; fails with kind invalid_token for a bad or revoked token. */
    async getAccount(token: string): Promise<PlexAccount> {
      const what = 'reading the Plex account';
      const answer = await call(what, { path: '/api/v2/user', token });
      return validatePlex(accountSchema, parsePlexJson(answer.text, what), what);
    },

    /** E2: the media servers the account can see (its own and shared ones), with their connections. */
    async getServers(token: string): Promise<PlexResource[]> {
      const what = 'listing the servers of the account';
      const answer = await call(what, { path: '/api/v2/resources?includeHttps=1&includeRelay=1', token });
      const resources = validatePlex(z.array(resourceSchema), parsePlexJson(answer.text, what), what);
      return resources.filter((r) => r.provides.split(',').map((p) => p.trim()).includes('server'));
    },

    /** E2: only the account's own servers: the ones it may share. */
    async getOwnedServers(token: string): Promise<PlexResource[]> {
      return (await this.getServers(token)).filter((r) => r.owned);
    },

    /** E3 (v1, always XML): the server's libraries with both the local key and the global id. */
    async getServerLibraries(token: string, machineIdentifier: string): Promise<PlexLibrary[]> {
      const what = 'reading the libraries of the server on plex.tv';
      const answer = await call(what, { path: `/api/servers/${encodeURIComponent(machineIdentifier)}`, token, accept: 'xml' });
      const doc = parsePlexXml(what, answer.text) as { MediaContainer?: { Server?: Array<{ Section?: unknown[] }> } };
      const sections = doc.MediaContainer?.Server?.[0]?.Section ?? [];
      return validatePlex(z.array(librarySectionSchema), sections, what).map((s) => ({
        globalId: s.id,
        key: String(s.key),
        title: s.title,
        type: s.type,
      }));
    },

    /** E9: a strong PIN for the "Sign in with Plex" page. */
    async createPin(): Promise<PlexPin> {
      const what = 'starting Sign in with Plex';
      const answer = await call(what, { path: '/api/v2/pins?strong=true', method: 'POST' });
      return validatePlex(pinSchema, parsePlexJson(answer.text, what), what);
    },

    /** E9: the app.plex.tv page where the owner approves the PIN. */
    authUrl(pin: Pick<PlexPin, 'code'>, forwardUrl?: string): string {
      const params = new URLSearchParams({ clientID: ctx.clientIdentifier, code: pin.code, 'context[device][product]': 'Helpr' });
      if (forwardUrl) params.set('forwardUrl', forwardUrl);
      return `${appUrl}/auth#?${params.toString()}`;
    },

    /** E9: the PIN's state; `authToken` is set once the owner approved it. 404 once expired. */
    async checkPin(pinId: number): Promise<PlexPin> {
      const what = 'checking Sign in with Plex';
      const answer = await call(what, { path: `/api/v2/pins/${pinId}` });
      return validatePlex(pinSchema, parsePlexJson(answer.text, what), what);
    },
  };
}

export type PlexTvAccountClient = ReturnType<typeof createPlexTvAccountClient>;
