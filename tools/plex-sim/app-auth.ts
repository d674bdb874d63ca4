import type { FastifyInstance } from 'fastify';
import { APP_AUTH_HTML } from './app-auth-html.js';
import type { SimContext } from './context.js';
import { HTML_TYPE } from './responses.js';

/**
 * app.plex.tv's sign-in page, served on the plex.tv origin so `PLEX_APP_URL` can point at the
 * simulator: a friend (or a headless browser) clicks through "Continue with Plex" offline.
 * The page is static; everything it knows comes from the URL's hash and `PIN_LOOKUP_PATH`.
 */
export const APP_AUTH_PATH = '/auth';

/**
 * The page's own lookup: the live PIN by code and the accounts the page offers. Simulator-only
 * (app.plex.tv knows who is signed in; the simulator offers every account instead), under the
 * control prefix, so it is never delayed, faulted, logged or counted.
 */
export const PIN_LOOKUP_PATH = '/__sim/app/pin';

/** `/auth` and `/auth/` (the other spelling in use, `/auth/#!?…`) are app.plex.tv, not plex.tv. */
export const isAppPage = (path: string): boolean => path === APP_AUTH_PATH || path === `${APP_AUTH_PATH}/`;

export interface PinLookup {
  code: string;
  product: string | null;
  expiresAt: string;
  /** Everyone but the owner (the friend signing in is never the server's owner). */
  accounts: Array<{ id: number; username: string; email: string; confirmed: boolean }>;
}

export function registerAppAuthRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get(APP_AUTH_PATH, async (_request, reply) => reply.header('cache-control', 'no-store').type(HTML_TYPE).send(APP_AUTH_HTML));

  app.get<{ Querystring: { code?: string } }>(PIN_LOOKUP_PATH, async (request, reply) => {
    const { state } = ctx;
    const code = typeof request.query.code === 'string' ? request.query.code : '';
    const pin = code === '' ? undefined : state.pins.findByCode(code);
    reply.header('cache-control', 'no-store');
    if (!pin) return reply.code(404).send({ error: 'This link has expired' });
    const accounts = state.accounts
      .all()
      .filter((account) => account.id !== state.owner.id)
      .map(({ id, username, email, confirmed }) => ({ id, username, email, confirmed }));
    const lookup: PinLookup = { code: pin.code, product: pin.product, expiresAt: pin.expiresAt.toISOString(), accounts };
    return reply.send(lookup);
  });
}
