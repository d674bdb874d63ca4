// A placeholder origin: only used to parse a path, never shown or requested.
const PLACEHOLDER_ORIGIN = 'http://helpr.invalid';
// Longer targets are not links anyone follows; they only make big Location headers.
const MAX_TARGET_LENGTH = 2048;
// What a Location header built here may contain: visible ASCII, nothing Node would refuse to send.
// The parser percent-encodes everything else, so this is a last guard.
// Stryker disable next-line Regex: the parsed path is always visible ASCII, so the anchors change nothing
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export interface RedirectScope {
  /** Where to go when the target is not acceptable. */
  fallback: string;
  /** The path the target must be, or (unless `exact`) be under ("/admin" allows "/admin/codes"). */
  within: string;
  exact?: boolean;
}

function inScope(pathname: string, scope: RedirectScope): boolean {
  if (pathname === scope.within) return true;
  return !scope.exact && pathname.startsWith(scope.within.endsWith('/') ? scope.within : `${scope.within}/`);
}

/**
 * A redirect target taken from input (`next=`, `back=`), as a path on this site. It is parsed as
 * a URL and rebuilt from its path and query, which the parser percent-encodes, so a control
 * character or text beyond Latin-1 never reaches the Location header (Node throws on those, outside
 * any error handler). Another site ("//host", "/\host", "https:..."), a path outside `within` and
 * anything unparsable give `fallback`. The fragment is dropped.
 */
export function safeRedirectPath(value: unknown, scope: RedirectScope): string {
  if (typeof value !== 'string' || value.length > MAX_TARGET_LENGTH || !value.startsWith('/')) return scope.fallback;
  // Browsers read "/\host" as "//host": another site. The parser below reads both as another host
  // too (the origin check catches them): this only refuses them before parsing.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: the origin check below refuses the same values
  if (value[1] === '/' || value[1] === '\\') return scope.fallback;
  let url: URL;
  // Stryker disable BlockStatement: a path starting with one "/" always parses; the catch is kept in case the checks above change
  try {
    url = new URL(value, PLACEHOLDER_ORIGIN);
  } catch {
    return scope.fallback;
  }
  // Stryker restore BlockStatement
  // The parser drops tabs and newlines ("/\t/host" becomes "//host") and resolves dot segments
  // ("/admin/..//host"): the parsed result is what counts, not the text.
  if (url.origin !== PLACEHOLDER_ORIGIN || url.pathname.startsWith('//') || !inScope(url.pathname, scope)) return scope.fallback;
  const path = `${url.pathname}${url.search}`;
  return path.length <= MAX_TARGET_LENGTH && VISIBLE_ASCII.test(path) ? path : scope.fallback;
}
