import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withBase } from '../../base-path.js';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { actorOf } from '../auth/auth.guard.js';
import type { PinState } from '../plex/plex-signin.service.js';
import { flowNamed, type ConnectFlow } from './connect-flow.js';

type Services = Deps['services'];
interface ConnectView {
  errors?: Record<string, string>;
  problem?: string;
  status?: number;
}

async function renderConnect(reply: FastifyReply, services: Services, flow: ConnectFlow, view: ConnectView = {}): Promise<FastifyReply> {
  const state = await services.plexConnection.state();
  return reply.code(view.status ?? 200).page('pages/admin/plex-connect', {
    title: 'Sign in with Plex',
    section: flow.section,
    flow,
    tokenSource: state.tokenSource,
    errors: view.errors ?? {},
    problem: view.problem,
    scripts: ['/static/js/plex-signin.js'],
  });
}

async function renderWait(reply: FastifyReply, services: Services, flow: ConnectFlow, code: string, message?: string): Promise<FastifyReply> {
  return reply.page('pages/admin/plex-wait', {
    title: 'Waiting for Plex',
    section: flow.section,
    flow,
    authUrl: await services.plexSignIn.authUrl(code),
    message,
    scripts: ['/static/js/plex-signin.js'],
  });
}

async function renderServers(reply: FastifyReply, services: Services, flow: ConnectFlow, view: ConnectView = {}): Promise<FastifyReply> {
  const list = await services.serverChoice.list();
  return reply.code(view.status ?? 200).page('pages/admin/plex-server', { title: 'Choose your Plex server', section: flow.section, flow, list, errors: view.errors ?? {} });
}

/** What a PIN check means for the session: a finished or dead PIN is forgotten. */
function settlePin(request: FastifyRequest, result: PinState): void {
  if (result.state === 'waiting') return;
  request.session.plexPin = undefined;
  if (result.state === 'done') request.session.flash = { message: `Signed in to Plex as ${result.account}.`, tone: 'success' };
}

/** "Sign in with Plex" (PIN flow, or a pasted token) and the server choice, for one flow. */
export async function plexConnectRoutes(app: FastifyInstance, opts: { deps: Deps; flow: ConnectFlow }) {
  const { services } = opts.deps;
  const { flow } = opts;

  app.get(flow.signIn, async (_request, reply) => {
    // In the wizard a PLEX_TOKEN from the environment means this step is done.
    if (flow.steps && (await services.plexConnection.state()).tokenSource === 'environment') return reply.redirect(flow.server, 303);
    return renderConnect(reply, services, flow);
  });

  // The page's script asks for JSON: it opened a blank Plex window on the click (a window opened
  // later is blocked as a pop-up) and sends it to Plex's page with this answer. Without the script
  // the waiting page follows, with a link to Plex.
  app.post(`${flow.signIn}/pin`, async (request, reply) => {
    const wantsJson = /application\/json/.test(request.headers.accept ?? '');
    try {
      const pin = await services.plexSignIn.startPin();
      request.session.plexPin = { id: pin.id, code: pin.code, startedAt: pin.startedAt, flow: flow.name };
      if (wantsJson) return reply.header('cache-control', 'no-store').send({ authUrl: pin.authUrl, waitUrl: withBase(opts.deps.config.basePath, `${flow.signIn}/wait`) });
      return reply.redirect(`${flow.signIn}/wait`, 303);
    } catch (error) {
      if (isAppError(error) && wantsJson) return reply.code(error.status).send({ message: error.message });
      if (isAppError(error)) return renderConnect(reply, services, flow, { problem: error.message, status: error.status });
      throw error;
    }
  });

  app.get(`${flow.signIn}/wait`, async (request, reply) => {
    const pin = request.session.plexPin;
    if (!pin || pin.flow !== flow.name) return reply.redirect(flow.signIn, 303);
    return renderWait(reply, services, flow, pin.code);
  });

  // Without JavaScript: "I have signed in, continue".
  app.post(`${flow.signIn}/wait`, async (request, reply) => {
    const pin = request.session.plexPin;
    if (!pin || pin.flow !== flow.name) return reply.redirect(flow.signIn, 303);
    const result = await services.plexSignIn.checkPin(pin, actorOf(request));
    settlePin(request, result);
    if (result.state === 'done') return reply.redirect(flow.server, 303);
    if (result.state === 'waiting') return renderWait(reply, services, flow, pin.code, result.message ?? 'Plex has not confirmed the sign-in yet: finish it on the Plex page, then press Continue again.');
    return renderConnect(reply, services, flow, { problem: result.message, status: result.state === 'expired' ? 410 : 400 });
  });

  app.post<{ Body: { token?: string } }>(`${flow.signIn}/token`, async (request, reply) => {
    try {
      const account = await services.plexSignIn.connectToken(String(request.body?.token ?? ''), actorOf(request));
      request.session.flash = { message: `Signed in to Plex as ${account.username}.`, tone: 'success' };
      return reply.redirect(flow.server, 303);
    } catch (error) {
      // The token itself is never sent back into the page.
      if (isAppError(error)) return renderConnect(reply, services, flow, { errors: error.fields, problem: error.fields ? undefined : error.message, status: error.status });
      throw error;
    }
  });

  app.get(flow.server, async (_request, reply) => {
    const state = await services.plexConnection.state();
    if (!state.token) return reply.redirect(flow.signIn, 303);
    if (flow.steps && state.serverIdSource === 'environment') return reply.redirect(flow.afterServer, 303);
    return renderServers(reply, services, flow);
  });

  app.post<{ Body: { server?: string } }>(flow.server, async (request, reply) => {
    try {
      const server = await services.serverChoice.choose(String(request.body?.server ?? ''), actorOf(request));
      request.session.flash = { message: `Helpr now uses the server ${server.name}.`, tone: 'success' };
      return reply.redirect(flow.afterServer, 303);
    } catch (error) {
      if (isAppError(error) && error.fields) return renderServers(reply, services, flow, { errors: error.fields, status: error.status });
      throw error;
    }
  });
}

/** The waiting page's script polls this; it answers the PIN's state as JSON. */
export async function plexPinRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services } = opts.deps;
  app.get('/admin/plex/pin', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const pin = request.session.plexPin;
    if (!pin) return { state: 'expired', message: 'No sign-in is in progress: start again.' };
    const result = await services.plexSignIn.checkPin(pin, actorOf(request));
    settlePin(request, result);
    return result.state === 'done' ? { state: 'done', next: withBase(opts.deps.config.basePath, flowNamed(pin.flow).server) } : result;
  });
}
