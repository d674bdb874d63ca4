import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/** A strict CSP: only our own scripts, styles and images; no inline script. */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      // Not upgrade-insecure-requests: many owners serve Helpr over plain HTTP on their LAN.
    },
  },
  // The same rule as frame-ancestors 'none', for browsers that only know the older header.
  xFrameOptions: { action: 'deny' },
  referrerPolicy: { policy: 'same-origin' },
  crossOriginEmbedderPolicy: false,
};

/** The headers helmet sets for these options. They never change, so they are computed once. */
export function helmetHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

const HSTS = 'strict-transport-security';

/**
 * Sets helmet's headers (taken once by securityPlugin: they never change) on one response.
 * Strict-Transport-Security only when the request came over HTTPS (request.protocol believes
 * X-Forwarded-Proto only from TRUST_PROXY's proxies): over plain HTTP browsers must ignore it
 * (RFC 6797) and it only misleads whoever checks the headers of a LAN install; over HTTPS it keeps
 * browsers from ever falling back to HTTP.
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): (request: FastifyRequest, reply: FastifyReply) => void {
  const { [HSTS]: hsts, ...always } = helmetHeaders(options);
  return (request, reply) => {
    reply.headers(always);
    if (hsts !== undefined && request.protocol === 'https') reply.header(HSTS, hsts);
  };
}

/**
 * For pages and answers that carry emails, addresses, codes or keys: no browser or proxy cache
 * keeps a copy (a shared computer's back button, a proxy's disk).
 */
export const noStore: onRequestHookHandler = (_request, reply, done) => {
  reply.header('cache-control', 'no-store');
  done();
};

/**
 * Security headers from helmet on every response. @fastify/helmet re-ran helmet's middleware (and
 * re-serialised the CSP) on every request, a quarter of the public page's time; the result is the
 * same for every request, so it is taken once and copied.
 */
export const securityPlugin = fp(async (app: FastifyInstance) => {
  const apply = securityHeaders();
  app.addHook('onRequest', (request, reply, done) => {
    apply(request, reply);
    done();
  });
});
