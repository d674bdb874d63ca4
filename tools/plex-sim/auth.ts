import type { FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Account } from './accounts.js';
import type { SimContext } from './context.js';
import { V2_ERRORS, sendInvalidToken, sendV1Response, sendV2Error } from './responses.js';

const callers = new WeakMap<FastifyRequest, Account>();

/** The account a guarded route runs for; throws if a route forgot its guard. */
export function callerOf(request: FastifyRequest): Account {
  const account = callers.get(request);
  if (!account) throw new Error(`route ${request.url} has no account guard`);
  return account;
}

/** `X-Plex-*` values come as headers or, as Wizarr sends them, as query parameters of any case. */
export function plexParam(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers[name.toLowerCase()];
  if (typeof header === 'string' && header !== '') return header;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const key = Object.keys(query).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : query[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const clientIdentifierOf = (request: FastifyRequest): string | undefined =>
  plexParam(request, 'X-Plex-Client-Identifier');

type Family = 'v1' | 'v2';

async function authenticate(ctx: SimContext, family: Family, request: FastifyRequest, reply: FastifyReply) {
  const result = ctx.state.accounts.authenticate(plexParam(request, 'X-Plex-Token'));
  if (result.kind === 'ok') {
    callers.set(request, result.account);
    return;
  }
  if (result.kind === 'revoked') return sendInvalidToken(reply);
  // The v1 401 body was never observed (plex-api.md §6.7); this mirrors the v1 error shape.
  if (family === 'v1') return sendV1Response(reply, 401, 'Unauthorized');
  return sendV2Error(request, reply, V2_ERRORS.unauthenticated);
}

async function requireClientIdentifier(request: FastifyRequest, reply: FastifyReply) {
  if (!clientIdentifierOf(request)) return sendV2Error(request, reply, V2_ERRORS.missingClientId);
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** The checks plex.tv makes before a handler runs, as hooks and as ready-made route options. */
export function guards(ctx: SimContext) {
  const v1Auth: Hook = (request, reply) => authenticate(ctx, 'v1', request, reply);
  const v2Auth: Hook = (request, reply) => authenticate(ctx, 'v2', request, reply);
  // v2 checks the client identifier before the token (400 before 401).
  const v1: RouteShorthandOptions = { preHandler: v1Auth };
  const v2: RouteShorthandOptions = { preHandler: [requireClientIdentifier, v2Auth] };
  const v2NoToken: RouteShorthandOptions = { preHandler: requireClientIdentifier };
  return { v1Auth, v2Auth, v1, v2, v2NoToken };
}
