import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { randomId } from '../security/crypto.js';

declare module 'fastify' {
  interface FastifyReply {
    /** The CSRF token for this response's forms (one secret cookie per visitor, made once). */
    csrfToken(): string;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const COOKIE_KEY = 'helpr_csrf';
const COOKIE_OPTIONS = { path: '/', sameSite: 'lax', httpOnly: true, signed: true, secure: 'auto' } as const;
/** Bytes of a visitor's CSRF secret (as @fastify/csrf makes them: 18, sent as 24 base64url characters). */
const SECRET_BYTES = 18;
const tokenCache = new WeakMap<FastifyReply, string>();

/**
 * CSRF protection with a signed double-submit cookie (stateless, so public pages need no session
 * row). Browser-facing route contexts add `requireCsrf` as a hook: every state-changing request
 * there must carry a valid `_csrf` field (or X-CSRF-Token header).
 */
export const csrfPlugin = fp(async (app: FastifyInstance) => {
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: COOKIE_KEY,
    cookieOpts: COOKIE_OPTIONS,
  });
  app.decorateReply('csrfToken', function csrfToken(this: FastifyReply): string {
    let token = tokenCache.get(this);
    if (token === undefined) {
      // A first visit (every view of the public page by a new friend): the secret comes from the
      // pooled random source instead of a call into OpenSSL of its own, which cost a tenth of the
      // page. It is set exactly as the plugin would set it, and handed to the plugin through the
      // request's cookies so that generateCsrf derives the token from it and sets nothing more.
      if (!this.request.cookies[COOKIE_KEY]) {
        const secret = randomId(SECRET_BYTES);
        this.setCookie(COOKIE_KEY, secret, COOKIE_OPTIONS);
        this.request.cookies[COOKIE_KEY] = this.signCookie(secret);
      }
      token = this.generateCsrf();
      tokenCache.set(this, token);
    }
    return token;
  });
});

export function requireCsrf(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
  if (!UNSAFE_METHODS.has(request.method)) return done();
  this.csrfProtection(request, reply, done);
}
