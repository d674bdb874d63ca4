import csrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyReply {
    /** The CSRF token for this response's forms (one secret cookie per visitor, made once). */
    csrfToken(): string;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const tokenCache = new WeakMap<FastifyReply, string>();

/**
 * CSRF protection with a signed double-submit cookie (stateless, so public pages need no session
 * row). Browser-facing route contexts add `requireCsrf` as a hook: every state-changing request
 * there must carry a valid `_csrf` field (or X-CSRF-Token header).
 */
export const csrfPlugin = fp(async (app: FastifyInstance) => {
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'helpr_csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, signed: true, secure: 'auto' },
  });
  app.decorateReply('csrfToken', function csrfToken(this: FastifyReply): string {
    let token = tokenCache.get(this);
    if (token === undefined) {
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
