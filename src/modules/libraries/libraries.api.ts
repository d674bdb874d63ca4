import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import { actorOf } from '../auth/auth.guard.js';
import { apiErrorSchema } from '../invite-codes/invite-codes.api.js';
import { tokenHint } from '../plex/diagnostics.steps.js';
import type { LibraryOverview } from './libraries.service.js';

const overviewSchema = {
  type: 'object',
  properties: {
    libraries: {
      type: 'array',
      items: { type: 'object', properties: { key: { type: 'string' }, title: { type: 'string' }, type: { type: 'string' }, selected: { type: 'boolean' } } },
    },
    missing: { type: 'array', items: { type: 'string' }, description: 'Selected keys (or titles) the server no longer has.' },
  },
} as const;

const toJson = (overview: LibraryOverview) => ({
  libraries: overview.libraries.map(({ key, title, type, selected }) => ({ key, title, type, selected })),
  missing: overview.missing,
});

/** GET/PUT /api/v1/libraries: which of the server's libraries new friends get. */
export async function librariesApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services } = opts.deps;

  app.get('/libraries', {
    schema: {
      tags: ['libraries'],
      summary: "The server's libraries and which ones new friends get",
      response: { 200: overviewSchema, 503: apiErrorSchema },
    },
  }, async () => {
    const state = await services.libraries.state({ patient: true });
    if (state.unavailable) throw new AppError('plex.unavailable', state.unavailable, { status: 503, expose: true });
    return toJson(state);
  });

  app.put<{ Body: { selected: string[] } }>('/libraries', {
    schema: {
      tags: ['libraries'],
      summary: 'Choose the libraries new friends get',
      body: {
        type: 'object',
        required: ['selected'],
        properties: { selected: { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 200 }, description: 'Local library keys (an empty list shares nothing).' } },
      },
      response: { 200: overviewSchema, 400: apiErrorSchema, 503: apiErrorSchema },
    },
  }, async (request) => {
    try {
      return toJson(await services.libraries.select(request.body.selected, actorOf(request)));
    } catch (error) {
      if (!isPlexError(error)) throw error;
      throw new AppError('plex.unavailable', `Helpr could not check the libraries with Plex. ${tokenHint(error)}`, { status: 503, expose: true, cause: error });
    }
  });
}
