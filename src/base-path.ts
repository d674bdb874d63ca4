import { ConfigError } from './config-read.js';

/**
 * BASE_PATH: Helpr under a path of an existing domain (https://example.com/helpr), behind a reverse
 * proxy. Routes stay written without it; what crosses the wire gets it:
 * - a request's path loses the prefix before routing (`stripBasePath`), so a proxy may pass the path
 *   as it came (`proxy_pass http://helpr:8080;`) or strip the prefix itself
 *   (`proxy_pass http://helpr:8080/;`): both reach the same routes, no X-Forwarded-Prefix needed;
 * - what Helpr hands out gains it: links, form actions and assets in pages (`prefixPage`), redirects'
 *   Location (`prefixLocation`), paths in JSON answers (`withBase`), cookie paths, and the links
 *   built from BASE_URL or the public address (which carry the path already).
 * '' is no prefix: Helpr at the root of its host.
 */
export type BasePath = string;

const PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/**
 * BASE_PATH as set ("/helpr", "helpr/", "/" for none); without it, the path of BASE_URL when it has one
 * (https://example.com/helpr serves under /helpr). Both set and different is an error naming both.
 */
export function parseBasePath(value: string | undefined, baseUrl: string | undefined): BasePath {
  const fromUrl = baseUrl === undefined ? '' : new URL(baseUrl).pathname.replace(/\/+$/, '');
  if (value === undefined) {
    if (fromUrl !== '' && !PATH.test(fromUrl)) throw new ConfigError('BASE_URL', `has a path Helpr cannot serve under ("${fromUrl}"): use letters, digits and . _ ~ - between the slashes`);
    return fromUrl;
  }
  const trimmed = value.trim().replace(/\/+$/, '');
  const path = trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  if (path !== '' && (!PATH.test(path) || /\/\.\.?(?=\/|$)/.test(path))) {
    throw new ConfigError('BASE_PATH', `must be a path like /helpr: letters, digits and . _ ~ - between the slashes (got "${value}")`);
  }
  if (baseUrl !== undefined && path !== fromUrl) {
    throw new ConfigError('BASE_PATH', `is "${path || '/'}" but BASE_URL (${baseUrl}) is under "${fromUrl || '/'}": make them the same, or leave BASE_PATH out`);
  }
  return path;
}

/** The request's path without the prefix, for routing ("/helpr/admin?x" -> "/admin?x"); other paths as they came. */
export function stripBasePath(base: BasePath, url: string): string {
  if (base === '' || !url.startsWith(base)) return url;
  const rest = url.slice(base.length);
  if (rest === '') return '/';
  if (rest.startsWith('/')) return rest;
  if (rest.startsWith('?')) return `/${rest}`;
  return url;
}

/** A path on this site as a browser must ask for it; anything else (absolute, protocol-relative, relative) unchanged. */
export const withBase = (base: BasePath, path: string): string => (base !== '' && path.startsWith('/') && !path.startsWith('//') ? `${base}${path}` : path);

// href, src, action, formaction, poster and data-*-url attributes whose value is a path on this site.
const SITE_PATH_ATTRIBUTE = /(\s(?:href|src|action|formaction|poster|data-[a-z-]*url)=")(\/(?!\/))/g;

/**
 * A rendered page with the prefix on every link, form, asset and script URL that is a path on this
 * site. Pages are written with site paths ("/admin/codes") and rendered once per settings snapshot
 * (cachedPage), so this runs once per page shape, not per visitor.
 */
export const prefixPage = (base: BasePath, html: string): string => (base === '' ? html : html.replace(SITE_PATH_ATTRIBUTE, `$1${base}$2`));

/** A link on the public address or BASE_URL, which may have a path of its own (new URL(path, base) would drop it). */
export const linkOn = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;
