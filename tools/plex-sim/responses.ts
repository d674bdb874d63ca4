import type { FastifyReply, FastifyRequest } from 'fastify';
import { XML_DECLARATION, listToXml, objectToXml, renderXml, type XmlNode } from './xml.js';

export const XML_TYPE = 'application/xml; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';

/** v2 content negotiation: JSON only when asked for, XML otherwise (what python-plexapi relies on). */
export function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('application/json');
}

export function sendXml(reply: FastifyReply, status: number, root: XmlNode): FastifyReply {
  return reply.code(status).type(XML_TYPE).send(renderXml(root));
}

/** A v2 answer: an object or an array as JSON, or as XML named after the resource. */
export function sendV2(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  name: string,
  data: Record<string, unknown> | Record<string, unknown>[],
): FastifyReply {
  if (wantsJson(request)) return reply.code(status).type(JSON_TYPE).send(JSON.stringify(data));
  return sendXml(reply, status, Array.isArray(data) ? listToXml(name, data) : objectToXml(name, data));
}

/** v1 errors: `<Response code="400" status="…"/>`. */
export function sendV1Response(reply: FastifyReply, code: number, status: string): FastifyReply {
  return sendXml(reply, code, { name: 'Response', attrs: { code, status } });
}

export interface V2Error {
  status: number;
  code: number;
  message: string;
  /** The PIN 404 body has no `status` member (plex-api.md §1.4). */
  omitStatus?: boolean;
}

export const V2_ERRORS = {
  unauthenticated: { status: 401, code: 1001, message: 'User could not be authenticated' },
  missingClientId: { status: 400, code: 1000, message: 'X-Plex-Client-Identifier is missing' },
  notFound: { status: 404, code: 1002, message: 'The requested resource or endpoint could not be found' },
  pinNotFound: { status: 404, code: 1020, message: 'Code not found or expired', omitStatus: true },
} satisfies Record<string, V2Error>;

export const badRequest = (message: string): V2Error => ({ status: 400, code: 1000, message });

export function sendV2Error(request: FastifyRequest, reply: FastifyReply, error: V2Error): FastifyReply {
  const entry = { code: error.code, message: error.message, ...(error.omitStatus ? {} : { status: error.status }) };
  if (wantsJson(request)) return reply.code(error.status).type(JSON_TYPE).send(JSON.stringify({ errors: [entry] }));
  return sendXml(reply, error.status, { name: 'errors', children: [{ name: 'error', attrs: entry }] });
}

/** A revoked ("deauthorized") token: always this XML, whatever was asked for (python-plexapi#1138). */
export const INVALID_TOKEN_BODY = `${XML_DECLARATION}\n<errors>\n  <error>Invalid token</error>\n</errors>\n`;

export function sendInvalidToken(reply: FastifyReply): FastifyReply {
  return reply.code(422).type(XML_TYPE).send(INVALID_TOKEN_BODY);
}

export const GONE_STATUS = 'This endpoint was deprecated and removed';

export function sendGone(reply: FastifyReply): FastifyReply {
  return sendV1Response(reply, 410, GONE_STATUS);
}

/** plex.tv is a Rails app: an unknown non-v2 path gets Rails' stock 404 page. */
export const HTML_404 = `<!DOCTYPE html>
<html>
<head>
  <title>The page you were looking for doesn't exist (404)</title>
</head>
<body>
  <div class="dialog">
    <h1>The page you were looking for doesn't exist.</h1>
    <p>You may have mistyped the address or the page may have moved.</p>
  </div>
</body>
</html>
`;

export function sendHtml404(reply: FastifyReply): FastifyReply {
  return reply.code(404).type(HTML_TYPE).send(HTML_404);
}
