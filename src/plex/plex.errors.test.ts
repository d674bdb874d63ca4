import { describe, expect, it } from 'vitest';
import { errorFromResponse, isUnconfirmedEmailRefusal, PlexError, plexErrorText, type PlexErrorKind } from './plex.errors.js';

// The bodies of plex-api.md §1.4, as Plex sends them.
const V2_JSON_401 = '{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}';
const V2_JSON_400 = '{"errors":[{"code":1000,"message":"X-Plex-Client-Identifier is missing","status":400}]}';
const V2_JSON_404 = '{"errors":[{"code":1002,"message":"The requested resource or endpoint could not be found","status":404}]}';
const PIN_404 = '{"errors":[{"code":1020,"message":"Code not found or expired"}]}';
const V2_XML_401 = '<errors><error code="1001" message="User could not be authenticated" status="401"/></errors>';
const REVOKED_422 = '<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>Invalid token</error>\n</errors>\n';
const GONE_410 = '<?xml version="1.0" encoding="UTF-8"?> <Response code="410" status="This endpoint was deprecated and removed"/>';
const ALREADY_400 = `<Response code="400" status="You're already sharing this server with friend. Please edit your existing share."/>`;
const V1_404_HTML = '<!DOCTYPE html><html><head>\n  <title>The page you were looking for doesn\'t exist (404)</title>\n</head><body></body></html>';
const PMS_401_HTML = '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';
const PMS_401_ROOT_HTML =
  "<html><head><script>window.location = window.location.href.match(/(^.+\\/)[^\\/]*$/)[1] + 'web/index.html';</script>" +
  '<title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';
const V2_DUPLICATE_422 = '{"errors":[{"code":1000,"message":"Account already has access to this server","status":422}]}';

describe('plexErrorText', () => {
  it.each([
    ['v2 JSON errors', V2_JSON_401, 'User could not be authenticated', 1001],
    ['v2 JSON missing client id', V2_JSON_400, 'X-Plex-Client-Identifier is missing', 1000],
    ['v2 JSON unknown route', V2_JSON_404, 'The requested resource or endpoint could not be found', 1002],
    ['PIN expired (no status member)', PIN_404, 'Code not found or expired', 1020],
    ['v2 XML errors with attributes', V2_XML_401, 'User could not be authenticated', 1001],
    ['bare <error>Invalid token</error>', REVOKED_422, 'Invalid token', undefined],
    ['v1 XML Response (removed endpoint)', GONE_410, 'This endpoint was deprecated and removed', 410],
    ['v1 XML Response (already sharing)', ALREADY_400, "You're already sharing this server with friend. Please edit your existing share.", 400],
    ['plex.tv HTML 404 page title', V1_404_HTML, "The page you were looking for doesn't exist (404)", undefined],
    ['PMS HTML 401 title', PMS_401_HTML, 'Unauthorized', undefined],
    ['PMS HTML 401 title after a script', PMS_401_ROOT_HTML, 'Unauthorized', undefined],
  ])('reads %s', (_shape, body, message, code) => {
    expect(plexErrorText(body)).toEqual({ message, code });
  });

  it('decodes XML entities in attribute values, named and numeric', () => {
    const body = '<Response code="400" status="You&#39;re already sharing this server with &quot;Tom &amp; Jerry&quot;&#10;now"/>';
    expect(plexErrorText(body).message).toBe('You\'re already sharing this server with "Tom & Jerry"\nnow');
    expect(plexErrorText('<errors><error code="1" message="a &#x26; b"/></errors>').message).toBe('a & b');
    expect(plexErrorText('<Response code="400" status="&amp;lt;b&amp;gt;"/>').message).toBe('&lt;b&gt;');
  });

  it('answers nothing for a body with no recognisable text', () => {
    expect(plexErrorText('')).toEqual({ message: undefined, code: undefined });
    expect(plexErrorText('upstream connect error')).toEqual({ message: undefined, code: undefined });
    expect(plexErrorText('{"not":"errors"}')).toEqual({ message: undefined, code: undefined });
    expect(plexErrorText('{broken json')).toEqual({ message: undefined, code: undefined });
  });
});

describe('errorFromResponse', () => {
  const classify = (status: number, body: string, retryAfter?: string) => errorFromResponse('doing the thing', status, body, retryAfter);

  it.each<[string, number, string, PlexErrorKind, number | undefined]>([
    ['v2 401 bad token', 401, V2_JSON_401, 'invalid_token', 1001],
    ['v2 XML 401', 401, V2_XML_401, 'invalid_token', 1001],
    ['v1 401', 401, '<Response code="401" status="Unauthorized"/>', 'invalid_token', 401],
    ['PMS HTML 401', 401, PMS_401_HTML, 'invalid_token', undefined],
    ['422 revoked token', 422, REVOKED_422, 'invalid_token', undefined],
    ['v1 400 already sharing', 400, ALREADY_400, 'already_shared', 400],
    ['v2 422 duplicate share', 422, V2_DUPLICATE_422, 'already_shared', 1000],
    ['v2 409 duplicate share', 409, V2_DUPLICATE_422.replace('422', '409'), 'already_shared', 1000],
    ['404 unknown route', 404, V2_JSON_404, 'not_found', 1002],
    ['404 PIN expired', 404, PIN_404, 'not_found', 1020],
    ['404 HTML page', 404, V1_404_HTML, 'not_found', undefined],
    ['410 removed endpoint', 410, GONE_410, 'not_found', 410],
    ['400 missing client id', 400, V2_JSON_400, 'rejected', 1000],
    ['400 unknown user', 400, '<Response code="400" status="User nobody could not be found"/>', 'rejected', 400],
    ['422 without "Invalid token"', 422, '{"errors":[{"code":1000,"message":"Invalid library section id(s): 1","status":422}]}', 'rejected', 1000],
    ['500 HTML', 500, '<html><head><title>500 Internal Server Error</title></head></html>', 'upstream', undefined],
    ['503 empty body', 503, '', 'upstream', undefined],
  ])('maps %s', (_case, status, body, kind, code) => {
    const error = classify(status, body);
    expect(error).toBeInstanceOf(PlexError);
    expect(error).toMatchObject({ kind, status, code });
  });

  it('keeps the call and Plex\'s own text in the message', () => {
    const error = classify(400, '<Response code="400" status="User nobody could not be found"/>');
    expect(error.message).toContain('doing the thing');
    expect(error.message).toContain('User nobody could not be found');
    expect(classify(410, GONE_410).message).toContain('This endpoint was deprecated and removed');
  });

  it('reads Retry-After seconds on 429 and ignores a value it cannot use', () => {
    expect(classify(429, '', '7')).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 7 });
    expect(classify(429, '', 'Wed, 21 Oct 2026 07:28:00 GMT').retryAfterSeconds).toBeUndefined();
    expect(classify(429, '').retryAfterSeconds).toBeUndefined();
  });

  it('calls rate limits, 5xx, timeouts and network failures temporary and the rest permanent', () => {
    expect(classify(429, '', '1').temporary).toBe(true);
    expect(classify(502, '').temporary).toBe(true);
    expect(new PlexError('timeout', 'slow').temporary).toBe(true);
    expect(new PlexError('network', 'down').temporary).toBe(true);
    for (const [status, body] of [[401, V2_JSON_401], [400, ALREADY_400], [404, V2_JSON_404], [400, V2_JSON_400], [422, REVOKED_422]] as const) {
      expect(classify(status, body).temporary).toBe(false);
    }
  });
});

describe('isUnconfirmedEmailRefusal', () => {
  const v2 = (status: number, code: number, message: string) => errorFromResponse('accepting the invite', status, JSON.stringify({ errors: [{ code, message, status }] }), undefined);

  it('tells the assumed 400/1069 answer, and refusals whose words say the email is not confirmed', () => {
    expect(isUnconfirmedEmailRefusal(v2(400, 1069, 'Please confirm your email address before accepting invitations'))).toBe(true);
    expect(isUnconfirmedEmailRefusal(v2(403, 1069, 'Forbidden'))).toBe(true);
    for (const words of ['You must verify your email first', 'Email address not confirmed', 'Your email has not been verified', 'Unverified email address']) {
      expect(isUnconfirmedEmailRefusal(v2(400, 1000, words)), words).toBe(true);
      expect(isUnconfirmedEmailRefusal(errorFromResponse('accepting the invite', 403, `<Response code="403" status="${words}"/>`, undefined)), words).toBe(true);
    }
  });

  it('does not take other refusals, failures or errors for it', () => {
    expect(isUnconfirmedEmailRefusal(v2(400, 1000, 'User email@example.com could not be found'))).toBe(false);
    expect(isUnconfirmedEmailRefusal(v2(400, 1000, 'Invalid library section id(s): 1'))).toBe(false);
    expect(isUnconfirmedEmailRefusal(v2(401, 1069, 'Please confirm your email address'))).toBe(false);
    expect(isUnconfirmedEmailRefusal(v2(503, 1069, 'Please confirm your email address'))).toBe(false);
    expect(isUnconfirmedEmailRefusal(new Error('Please confirm your email address'))).toBe(false);
    expect(isUnconfirmedEmailRefusal(undefined)).toBe(false);
  });
});
