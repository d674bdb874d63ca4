import cookie from '@fastify/cookie';
import session from '@fastify/session';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Clock } from '../clock.js';
import { deriveKey } from '../security/crypto.js';
import { DatabaseSessionStore } from '../modules/sessions/database-session-store.js';
import type { SessionsRepository } from '../modules/sessions/sessions.repository.js';

export const SESSION_COOKIE = 'helpr_session';
export const SESSION_MAX_AGE_MS = 12 * 60 * 60 * 1000;

declare module 'fastify' {
  interface Session {
    adminId?: string;
  }
}

/** Signed cookies (the CSRF secret travels in one), for every route. */
export const cookiesPlugin = fp(async (app: FastifyInstance, opts: { secretKey: string }) => {
  await app.register(cookie, { secret: deriveKey(opts.secretKey, 'cookies').toString('base64url') });
});

/**
 * Server-side sessions kept in the database, registered only around the routes that sign in or
 * are signed in: public visitors never get a session, not even an unsaved one. A session row is
 * written only once something is stored in it (an admin login).
 */
export const sessionPlugin = fp(async (app: FastifyInstance, opts: { secretKey: string; sessions: SessionsRepository; clock: Clock; cookiePath?: string }) => {
  await app.register(session, {
    secret: deriveKey(opts.secretKey, 'session').toString('base64url'),
    cookieName: SESSION_COOKIE,
    store: new DatabaseSessionStore(opts.sessions, opts.clock, SESSION_MAX_AGE_MS),
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', path: '/', maxAge: SESSION_MAX_AGE_MS },
  });
  // Under BASE_PATH the browser keeps the cookie at /helpr, where it sees Helpr. The plugin looks for
  // the session only when the routed path (without the prefix: base-path.ts) is under the cookie's
  // path, so the plugin is told '/' and each session's own cookie the real path.
  const cookiePath = opts.cookiePath || '/';
  if (cookiePath !== '/') {
    app.addHook('onRequest', (request, _reply, done) => {
      request.session.cookie.path = cookiePath;
      done();
    });
  }
});
