import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { STEP_LABELS } from './diagnostics.service.js';

const stepSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', enum: Object.keys(STEP_LABELS), description: 'The check, in the order they run.' },
    label: { type: 'string', example: STEP_LABELS.token },
    status: { type: 'string', enum: ['ok', 'failed', 'skipped'], description: 'After a failure the remaining steps are skipped.' },
    durationMs: { type: 'integer', minimum: 0 },
    detail: { type: 'string', description: 'What the check found, or why it failed.' },
    hint: { type: 'string', description: 'How to fix a failure (failed steps only).' },
  },
  required: ['name', 'label', 'status', 'durationMs', 'detail'],
  additionalProperties: false,
} as const;

const reportSchema = {
  type: 'object',
  properties: {
    ok: { type: 'boolean', description: 'Every step passed.' },
    startedAt: { type: 'string', format: 'date-time' },
    steps: { type: 'array', items: stepSchema, minItems: Object.keys(STEP_LABELS).length, maxItems: Object.keys(STEP_LABELS).length },
  },
  required: ['ok', 'startedAt', 'steps'],
  additionalProperties: false,
} as const;

/** POST /api/v1/plex/test (inside the API-key context): runs the connection test and stores it. */
export async function plexApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  app.post(
    '/plex/test',
    {
      schema: {
        tags: ['plex'],
        summary: 'Test the Plex connection',
        description:
          'Runs the connection diagnostics (token, server, reachable, libraries, library ids) and answers the report; it also becomes the last result shown in the admin area. A failed check is still a 200: look at `ok` and the failed step\'s `hint`.',
        response: { 200: reportSchema },
      },
    },
    () => opts.deps.services.connectionTests.run(),
  );
}
