import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import { actorOf } from '../auth/auth.guard.js';
import { tokenHint } from '../plex/diagnostics.steps.js';
import type { LibraryState } from './libraries.service.js';

const asList = (value: unknown): string[] => [value ?? []].flat().filter((entry): entry is string => typeof entry === 'string');

/** /admin/libraries: which of the server's libraries new friends get. */
export async function librariesAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services, config } = opts.deps;

  const render = (reply: FastifyReply, state: LibraryState, error?: string) =>
    reply.page('pages/admin/libraries', { title: 'Libraries', section: '/admin/libraries', ...state, environmentLibraries: config.plex.libraries, error });

  app.get('/admin/libraries', async (_request, reply) => render(reply, await services.libraries.state()));

  app.post<{ Body: { selected?: string | string[] } }>('/admin/libraries', async (request, reply) => {
    try {
      await services.libraries.select(asList(request.body?.selected), actorOf(request));
    } catch (error) {
      if (isAppError(error) && error.fields?.selected) return render(reply.code(error.status), await services.libraries.state(), error.fields.selected);
      if (!isPlexError(error)) throw error;
      request.session.flash = { message: `Not saved: Helpr could not check the libraries with Plex. ${tokenHint(error)}`, tone: 'danger' };
      return reply.redirect('/admin/libraries', 303);
    }
    request.session.flash = { message: 'Libraries for new friends saved.', tone: 'success' };
    return reply.redirect('/admin/libraries', 303);
  });

  // The page after the redirect reads the fresh list from the mapping's cache: one Plex call in all.
  app.post('/admin/libraries/refresh', async (request, reply) => {
    const state = await services.libraries.state({ refresh: true });
    request.session.flash = state.unavailable
      ? { message: 'Plex could not be reached; nothing was refreshed.', tone: 'warning' }
      : { message: `Refreshed from Plex: ${state.libraries.length} ${state.libraries.length === 1 ? 'library' : 'libraries'}.`, tone: 'success' };
    return reply.redirect('/admin/libraries', 303);
  });
}
