import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { CHART_DAYS, STATUSES } from './dashboard.service.js';

const count = { type: 'integer', minimum: 0 } as const;
const byStatus = {
  type: 'object',
  properties: Object.fromEntries(STATUSES.map((status) => [status, count])),
  required: [...STATUSES],
  additionalProperties: false,
} as const;

const statsResponse = {
  type: 'object',
  properties: {
    total: { ...count, description: 'All requests ever made.' },
    successful: {
      ...count,
      description:
        'All requests that reached Plex: `accepted` (the friend signed in with Plex and Helpr accepted the invite for them, so they can watch now) plus `sent` (the invite waits for the friend to accept it in Plex). Not `already_shared` or `already_invited`, since Plex had those before.',
    },
    byStatus: { ...byStatus, description: 'All requests ever made, by their current status (`accepted` and `sent` apart).' },
    perDay: {
      type: 'array',
      description: `The last ${CHART_DAYS} UTC days, oldest first, including today and days without requests.`,
      minItems: CHART_DAYS,
      maxItems: CHART_DAYS,
      items: {
        type: 'object',
        properties: { day: { type: 'string', format: 'date', example: '2026-11-24' }, ...byStatus.properties, total: count },
        required: ['day', ...STATUSES, 'total'],
        additionalProperties: false,
      },
    },
  },
  required: ['total', 'successful', 'byStatus', 'perDay'],
  additionalProperties: false,
} as const;

/** GET /api/v1/stats (inside the API-key context): the dashboard's numbers as JSON. */
export async function statsApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  app.get(
    '/stats',
    {
      schema: {
        tags: ['stats'],
        summary: 'Request counts',
        description: `All-time totals (all requests, the successful ones, and by status), and requests per day and status for the last ${CHART_DAYS} days.`,
        response: { 200: statsResponse },
      },
    },
    () => opts.deps.services.dashboard.apiStats(),
  );
}
