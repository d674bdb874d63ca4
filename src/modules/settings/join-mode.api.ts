import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { actorOf } from '../auth/auth.guard.js';
import { JOIN_MODE_CHOICES, JOIN_MODES, type JoinMode } from './join-mode.js';

const joinModeJson = {
  type: 'object',
  properties: {
    joinMode: {
      type: 'string',
      enum: [...JOIN_MODES],
      description: JOIN_MODE_CHOICES.map((choice) => `\`${choice.value}\`: ${choice.consequence}`).join(' '),
    },
  },
  required: ['joinMode'],
  additionalProperties: false,
} as const;

const errorJson = { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } } as const;
const tags = ['settings'];

/** /api/v1/settings/join-mode (inside the API-key context): who may ask for access. */
export async function joinModeApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services } = opts.deps;

  app.get(
    '/settings/join-mode',
    { schema: { tags, summary: 'Who may join', description: 'How friends get access from the public page.', response: { 200: joinModeJson, 401: errorJson } } },
    async () => ({ joinMode: (await services.settings.get()).joinMode }),
  );

  app.put<{ Body: { joinMode: JoinMode } }>(
    '/settings/join-mode',
    {
      schema: {
        tags,
        summary: 'Change who may join',
        description: 'Applies to requests made from now on; requests already waiting for approval keep waiting until approved or declined.',
        body: joinModeJson,
        response: { 200: joinModeJson, 400: errorJson, 401: errorJson },
      },
    },
    async (request) => ({ joinMode: await services.settingsAdmin.setJoinMode(request.body.joinMode, actorOf(request)) }),
  );
}
