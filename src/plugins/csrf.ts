import Tokens from '@fastify/csrf';
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
/** The cookie's settings; its path is BASE_PATH's (Helpr under /helpr keeps its cookie there). */
const cookieOptions = (path: string) => ({ path, sameSite: 'lax', httpOnly: true, signed: true, secure: 'auto' }) as const;
/** Token settings, shared by the plugin (which verifies) and `tokens` below (which creates). */
// Stryker disable next-line ObjectLiteral: 18 is also the library's default
const CSRF_OPTIONS = { secretLength: 18 };
const tokenCache = new WeakMap<FastifyReply, string>();

/**
 * CSRF protection with a signed double-submit cookie (stateless, so public pages need no session
 * row). Browser-facing route contexts add `requireCsrf` as a hook: every state-changing request
 * there must carry a valid `_csrf` field (or X-CSRF-Token header).
 */
export const csrfPlugin = fp(async (app: FastifyInstance, opts: { cookiePath?: string } = {}) => {
  const COOKIE_OPTIONS = cookieOptions(opts.cookiePath || '/');
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: COOKIE_KEY,
    cookieOpts: COOKIE_OPTIONS,
    // Stryker disable next-line ObjectLiteral: 18 is also the library's default; passed so both sides stay alike if it changes
    csrfOpts: { ...CSRF_OPTIONS },
  });
  const tokens = Tokens({ ...CSRF_OPTIONS }) as Tokens.TokensSimple;
  app.decorateReply('csrfToken', function csrfToken(this: FastifyReply): string {
    let token = tokenCache.get(this);
    if (token === undefined) {
      // Stryker disable next-line ConditionalExpression: speed only: without a cookie the plugin would make the secret itself
      if (this.request.cookies[COOKIE_KEY]) {
        token = this.generateCsrf();
      } else {
        // A first visit (every view of the public page by a new friend): the plugin would draw the
        // secret with a call into OpenSSL of its own, a tenth of the page's time; it comes from the
        // pooled random source instead, is set as the plugin sets it, and the token is made by the
        // same token library with the same settings, so the plugin verifies it as its own.
        const secret = randomId(CSRF_OPTIONS.secretLength);
        this.setCookie(COOKIE_KEY, secret, COOKIE_OPTIONS);
        token = tokens.create(secret);
      }
      tokenCache.set(this, token);
    }
    return token;
  });
});

export function requireCsrf(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
  if (!UNSAFE_METHODS.has(request.method)) return done();
  this.csrfProtection(request, reply, done);
}
