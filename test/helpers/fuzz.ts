import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

/**
 * Hostile values for the fuzz suite (test/http/fuzz.test.ts), as they travel in an address or a
 * form: percent-encoded once, so the server decodes them into the real thing.
 */
export const ENCODED_VALUES = [
  '%00', // NUL
  '%0d%0aSet-Cookie:%20x=1', // CR LF: header injection
  '%1b%7f', // escape and DEL
  '%C4%80', // U+0100, past Latin-1
  '%F0%9F%98%80', // an emoji (astral plane)
  '%ED%A0%80', // a lone surrogate, not valid UTF-8
  '%ZZ', // bad percent-encoding
  '%', // a lone percent sign
  '%C0%AF', // overlong UTF-8 for "/"
  '1e309', // Infinity once parsed
  '99999999999999999999',
  '9007199254740993',
  '-1',
  '0',
  'NaN',
  '2.5',
  '//evil.example/x',
  '/%5Cevil.example',
  'javascript:alert(1)',
  '/admin/%0a',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '__proto__',
  'x'.repeat(5000),
  '',
];

/** Values for path parameters (one path segment each). */
export const PATH_VALUES = [
  ...ENCODED_VALUES.filter((v) => v !== '' && v.length < 100),
  'a'.repeat(101), // past Fastify's maxParamLength
  '%2F%2Fevil.example',
  'constructor',
  '.',
  '..',
];

/** Query strings whose shape is the attack: repeated keys, brackets, prototype keys. */
export function structuralQueries(keys: string[]): string[] {
  return [
    keys.map((k) => `${k}=1&${k}=2`).join('&'),
    keys.map((k) => `${k}[]=1`).join('&'),
    keys.map((k) => `${k}[a]=1`).join('&'),
    '__proto__[polluted]=1&constructor[prototype][polluted]=1',
    '__proto__=x&constructor=x&prototype=x&toString=x&hasOwnProperty=x',
    keys.map((k) => `${k}`).join('&'),
  ];
}

/** JSON values for JSON bodies: wrong types, control characters, huge numbers, prototype keys. */
export const JSON_VALUES: unknown[] = [
  '\u0000\r\n\u001b',
  '\u0100\ud800\ud83d\ude00',
  'x'.repeat(5000),
  '//evil.example',
  '',
  1e308,
  -1,
  2.5,
  Number('99999999999999999999'),
  true,
  null,
  ['a', 'b'],
  [['a']],
  { a: 1 },
  JSON.parse('{"__proto__":{"polluted":1}}'),
];

/** Raw JSON texts that JSON.stringify cannot make. */
export const RAW_JSON_BODIES = [
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"a":1e309}',
  '[1,2,3]',
  '"text"',
  '12',
  'null',
  '{',
  '{"a":"\\ud800"}',
  '',
];

export const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy'];

/** What is wrong with one answer, if anything: a 5xx, a missing security header, an unsafe Location. */
export function problemsOf(response: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  if (response.statusCode >= 500) problems.push(`status ${response.statusCode}`);
  for (const name of SECURITY_HEADERS) if (!response.headers[name]) problems.push(`no ${name}`);
  const location = response.headers.location;
  if (location !== undefined && !/^[\x21-\x7e]*$/.test(String(location))) problems.push(`location ${JSON.stringify(location)}`);
  return problems;
}

/** The path with every parameter (":id", "*") replaced by `value`. */
export const fillPath = (url: string, value: string): string => url.replace(/:[A-Za-z0-9_]+|\*/g, value);

/** Field names of every form on a page. */
export const formFields = (html: string): string[] => [...html.matchAll(/\bname="([^"]+)"/g)].map((m) => m[1]!).filter((n) => n !== '_csrf');

export interface ApiShape {
  query: string[];
  body: string[];
}

/** Query and body property names of each API operation, from the OpenAPI document the schemas make. */
export function apiShapes(app: FastifyInstance): Map<string, ApiShape> {
  const document = app.swagger() as {
    paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }>; requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>>;
  };
  const shapes = new Map<string, ApiShape>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const url = path.replace(/\{([^}]+)\}/g, ':$1');
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const body = Object.keys(operation.requestBody?.content['application/json']?.schema.properties ?? {});
      shapes.set(`${method.toUpperCase()} ${url}`, { query, body });
    }
  }
  return shapes;
}

export interface Caller {
  name: string;
  /** Cookies and headers sent on every request. */
  headers: Record<string, string>;
  /** A CSRF token that goes with the cookies, for forms. */
  csrf?: string;
  remoteAddress: string;
}

export type FuzzRequest = InjectOptions & { method: string; url: string };
