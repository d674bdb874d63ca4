import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import { actorOf, startAdminSession } from '../auth/auth.guard.js';
import { tokenHint } from '../plex/diagnostics.steps.js';
import { SETUP_FLOW } from './connect-flow.js';
import { plexConnectRoutes } from './plex-connect.routes.js';
import { JOIN_MODE_CHOICES, SUGGESTED_JOIN_MODE } from '../settings/join-mode.js';
import { SETUP_STEPS } from './setup.service.js';
import { createPublicAddressSaver, publicAddressView } from '../public-address/public-address.service.js';
import { TIME_ZONES } from '../../time-zone.js';

interface AdminForm {
  username?: string;
  password?: string;
  repeat?: string;
  timeZone?: string;
}

/** The first page: the admin account and the owner's time zone (time-zone.js fills in the browser's). */
const adminPage = (values: { username?: string; timeZone?: string }, errors: Record<string, string>) => ({
  title: 'Set up Helpr',
  values,
  errors,
  timeZones: TIME_ZONES,
  scripts: ['/static/js/time-zone.js'],
});

/** Once an admin exists the wizard's first page is closed: the admin area (or its sign-in) instead. */
const closed = (request: FastifyRequest, reply: FastifyReply) => reply.redirect(request.session.adminId ? '/admin' : '/admin/login', 303);

/** /setup: the first admin, while there is none (a public page: nobody can sign in yet). */
export async function setupRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services, clock } = opts.deps;

  app.get('/setup', async (request, reply) => {
    if (!(await services.setupWizard.isOpen())) return closed(request, reply);
    return reply.page('pages/setup/admin', adminPage({}, {}));
  });

  app.post<{ Body: AdminForm }>('/setup', async (request, reply) => {
    const field = (name: keyof AdminForm) => String(request.body?.[name] ?? '');
    const values = { username: field('username').slice(0, 200), timeZone: request.body?.timeZone === undefined ? undefined : field('timeZone').slice(0, 100) };
    try {
      const admin = await services.setupWizard.createFirstAdmin({ username: values.username, password: field('password'), repeat: field('repeat'), timeZone: values.timeZone, ip: request.ip });
      await startAdminSession(request, admin, clock.now().getTime());
      return reply.redirect(SETUP_STEPS.plex, 303);
    } catch (error) {
      if (isAppError(error) && error.code === 'setup.closed') return closed(request, reply);
      if (isAppError(error) && error.fields) return reply.code(400).page('pages/setup/admin', adminPage(values, error.fields));
      throw error;
    }
  });
}

/** The rest of the wizard, for the signed-in admin: Plex, server, libraries, finish. */
export async function setupAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services } = opts.deps;
  const savePublicAddress = createPublicAddressSaver({ config: opts.deps.config, settings: services.settings, audit: services.audit });

  app.get('/admin/setup', async (_request, reply) => reply.redirect(await services.setupWizard.openStep(), 303));

  app.get(SETUP_STEPS.libraries, async (_request, reply) => {
    const open = await services.setupWizard.openStep();
    if (open !== SETUP_STEPS.libraries) return reply.redirect(open, 303);
    return renderLibraries(reply, opts.deps);
  });

  app.post<{ Body: { selected?: string | string[] } }>(SETUP_STEPS.libraries, async (request, reply) => {
    const selected = [request.body?.selected ?? []].flat().map(String);
    try {
      await services.libraries.select(selected, actorOf(request));
      return reply.redirect(SETUP_STEPS.done, 303);
    } catch (error) {
      if (isAppError(error) && error.fields) return renderLibraries(reply.code(400), opts.deps, error.fields);
      throw error;
    }
  });

  app.get(SETUP_STEPS.done, async (_request, reply) => {
    const open = await services.setupWizard.openStep();
    if (open !== SETUP_STEPS.libraries) return reply.redirect(open, 303);
    return renderDone(reply, opts.deps, SUGGESTED_JOIN_MODE);
  });

  app.post<{ Body: { joinMode?: string; publicAddress?: string } | undefined }>(SETUP_STEPS.done, async (request, reply) => {
    // The public address first (not sent when BASE_URL decides it): a mistake keeps the wizard open.
    const typedAddress = typeof request.body?.publicAddress === 'string' ? request.body.publicAddress.slice(0, 2000) : undefined;
    try {
      if (typedAddress !== undefined) await savePublicAddress(typedAddress, actorOf(request));
    } catch (error) {
      if (isAppError(error) && error.fields) return renderDone(reply.code(400), opts.deps, request.body?.joinMode, undefined, { value: typedAddress!, error: error.fields.publicAddress });
      throw error;
    }
    try {
      await services.setupWizard.complete(actorOf(request), request.body?.joinMode);
    } catch (error) {
      if (isAppError(error) && error.fields) return renderDone(reply.code(400), opts.deps, undefined, error.fields.joinMode);
      throw error;
    }
    request.session.flash = { message: 'Helpr is set up. Friends can now ask for access on the public page.', tone: 'success' };
    return reply.redirect('/admin', 303);
  });

  await app.register(plexConnectRoutes, { deps: opts.deps, flow: SETUP_FLOW });
}

/** The last page: a summary, and how friends get in (the suggested answer chosen). */
async function renderDone(reply: FastifyReply, deps: Deps, selectedMode: string | undefined, joinModeError?: string, typedAddress?: { value: string; error?: string }): Promise<FastifyReply> {
  // The summary names the libraries; if Plex is slow to answer, their keys will do.
  const [settings, overview] = await Promise.all([deps.services.settings.get(), deps.services.libraries.overview().catch(() => undefined)]);
  const selected = overview ? overview.libraries.filter((l) => l.selected).map((l) => l.title) : settings.libraries;
  const address = { ...(await publicAddressView(reply.request, deps.config, deps.services.settings)), typed: typedAddress?.value, error: typedAddress?.error };
  const { serverName } = await deps.services.plexConnection.state();
  return reply.page('pages/setup/done', { title: 'Finish the setup', selected, missing: overview?.missing ?? [], joinModeChoices: JOIN_MODE_CHOICES, selectedMode, joinModeError, address, serverName });
}

async function renderLibraries(reply: FastifyReply, deps: Deps, errors: Record<string, string> = {}): Promise<FastifyReply> {
  const fromEnvironment = Boolean(deps.config.plex.libraries?.length);
  try {
    const overview = await deps.services.libraries.overview({ refresh: true });
    return reply.page('pages/setup/libraries', { title: 'Libraries for new friends', ...overview, errors, fromEnvironment });
  } catch (error) {
    if (!isPlexError(error)) throw error;
    const problem = `${error.message}. ${tokenHint(error)}`;
    return reply.code(502).page('pages/setup/libraries', { title: 'Libraries for new friends', libraries: [], missing: [], errors, problem, fromEnvironment });
  }
}
