import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withBase, type BasePath } from '../../base-path.js';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { toHttpProblem } from '../../plugins/errors.js';
import { currentLinkBase } from '../invite-codes/invite-codes.links.js';
import { plexFormHeaders, showRequestPage } from '../public/request-form.js';
import type { JoinState } from './join-with-plex.models.js';

interface StartBody {
  code?: string;
  rulesAccepted?: string;
}
type WithId = { Params: { id: string } };

const wantsJson = (request: FastifyRequest): boolean => String(request.headers.accept ?? '').includes('application/json');

/** An error as join-with-plex.js reads it; anything unexpected goes to the error handler as usual. */
function sendJsonError(reply: FastifyReply, error: unknown): FastifyReply {
  const problem = toHttpProblem(error);
  if (problem.status >= 500 && !(isAppError(error) && error.expose)) throw error;
  const retryAfter = (error as { retryAfter?: number }).retryAfter;
  if (retryAfter) reply.header('retry-after', String(retryAfter));
  return reply.code(problem.status).send({ error: { code: problem.code, message: problem.message, ...(problem.fields ? { fields: problem.fields } : {}) } });
}

/** A sign-in's state as JSON; an unknown or long-ended one is 404 with the words to start again. */
/** A sign-in's state as JSON for the page's script; the page it goes on to carries BASE_PATH. */
async function sendState(reply: FastifyReply, base: BasePath, state: () => Promise<JoinState>): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store');
  try {
    const answer = await state();
    return reply.send(answer.state === 'done' ? { ...answer, redirect: withBase(base, answer.redirect) } : answer);
  } catch (error) {
    if (isAppError(error) && error.code === 'join.not_found') return reply.code(404).send({ state: 'expired', message: error.message });
    throw error;
  }
}

/**
 * Continue with Plex (issue 12): start a sign-in, poll it, cancel it, and the page Plex sends the
 * friend back to (forwardUrl). The rules (way, code, house rules, limits, PIN polling) are in
 * join-with-plex.service.ts.
 */
export async function joinWithPlexRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const { services } = deps;
  const join = services.joinWithPlex;
  // Polls come every second from one tab for up to 15 minutes; this bounds a script gone wrong.
  const pollLimit = { rateLimit: { max: 300, timeWindow: 60_000 } };

  app.post<{ Body: StartBody }>('/join-with-plex', async (request, reply) => {
    if (!(await services.setup.isReady())) return showRequestPage(reply, services, { values: {} });
    const values = { code: String(request.body?.code ?? '').slice(0, 100), rulesAccepted: request.body?.rulesAccepted !== undefined && request.body?.rulesAccepted !== '' };
    try {
      const returnBase = (await currentLinkBase(request, deps.config, services.settings)).url;
      const started = await join.start({ ...values, clientIp: request.ip, userAgent: request.headers['user-agent'], returnBase });
      if (!wantsJson(request)) return reply.redirect(started.redirectUrl, 303);
      const { id, authUrl, statusUrl, cancelUrl, returnUrl } = started;
      const base = deps.config.basePath;
      return reply.header('cache-control', 'no-store').code(201).send({ id, authUrl, statusUrl: withBase(base, statusUrl), cancelUrl: withBase(base, cancelUrl), returnUrl: withBase(base, returnUrl) });
    } catch (error) {
      if (wantsJson(request)) return sendJsonError(reply, error);
      if (isAppError(error) && error.fields) return showRequestPage(reply, services, { values: { code: values.code || undefined }, plexValues: values, plexErrors: error.fields, status: error.status });
      throw error;
    }
  });

  app.get<WithId>('/join-with-plex/:id/status', { config: pollLimit }, (request, reply) => sendState(reply, deps.config.basePath, () => join.status(request.params.id)));

  app.post<WithId>('/join-with-plex/:id/cancel', { config: pollLimit }, async (request, reply) => {
    if (wantsJson(request)) return sendState(reply, deps.config.basePath, () => join.cancel(request.params.id));
    await join.cancel(request.params.id);
    return reply.redirect(`/join-with-plex/${request.params.id}/return`, 303);
  });

  // Where app.plex.tv sends the friend back (no JavaScript, or a phone): the outcome at once, or a
  // page that waits (its script polls; without it, "Check again").
  app.get<WithId>('/join-with-plex/:id/return', { config: pollLimit }, async (request, reply) => {
    const settings = await services.settings.get();
    reply.header('cache-control', 'no-store');
    let state: JoinState;
    try {
      state = await join.status(request.params.id);
    } catch (error) {
      if (!isAppError(error) || error.code !== 'join.not_found') throw error;
      state = { state: 'expired', message: error.message };
      reply.code(404);
    }
    if (state.state === 'done') return reply.redirect(state.redirect, 303);
    const waiting = state.state === 'waiting';
    // Its "Continue with Plex" posts to Helpr, which redirects to app.plex.tv.
    if (!waiting) reply.headers(plexFormHeaders(services.plexAppUrl));
    return reply.page('pages/public/join-with-plex-return', {
      title: waiting ? 'Signing you in with Plex' : 'The Plex sign-in did not finish',
      siteTitle: settings.siteTitle,
      state,
      statusUrl: `/join-with-plex/${request.params.id}/status`,
      retry: waiting ? undefined : await join.retryValues(request.params.id),
      scripts: waiting ? ['/static/js/join-with-plex.js'] : undefined,
    });
  });

  // "Try again" on a Plex join waiting for the friend to confirm their email: the job runs now.
  // Counted after the CSRF check (preHandler): a forged or token-less post is refused 403 and never
  // uses up the friend's tries.
  app.post<WithId>('/requests/:id/retry', { config: { rateLimit: { max: 10, timeWindow: 15 * 60_000, hook: 'preHandler' } } }, async (request, reply) => {
    await join.retryJoin(request.params.id);
    return reply.redirect(`/requests/${request.params.id}`, 303);
  });
}
