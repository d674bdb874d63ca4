import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { integerParameter, MAX_OFFSET } from '../../paging.js';
import { ACCESS_STARTS, MAX_ACCESS_DAYS } from '../access/access-terms.js';
import { actorOf } from '../auth/auth.guard.js';
import { currentLinkBase, withLink } from './invite-codes.links.js';

/** A JSON schema that also accepts null. */
export const nullable = (schema: Record<string, unknown>) => ({ ...schema, type: [schema.type, 'null'] });

/** Downloads (sync), Live TV (channels) and camera upload: what a share allows beyond watching. */
export const permissionsSchema = {
  type: 'object',
  properties: { allowSync: { type: 'boolean' }, allowChannels: { type: 'boolean' }, allowCameraUpload: { type: 'boolean' } },
  additionalProperties: false,
} as const;

const codeView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    code: { type: 'string' },
    link: { type: 'string', description: 'The /join/CODE link to send: on BASE_URL; without it, on the address the proxy forwarded (TRUST_PROXY) or the server address and port the request reached.' },
    label: nullable({ type: 'string' }),
    expiresAt: nullable({ type: 'string', format: 'date-time' }),
    maxUses: nullable({ type: 'integer' }),
    uses: { type: 'integer' },
    remaining: nullable({ type: 'integer', description: 'null: unlimited' }),
    libraries: nullable({ type: 'array', items: { type: 'string' }, description: 'null: the libraries chosen for new friends' }),
    accessDays: nullable({ type: 'integer', description: 'Days of access the code gives (null: no end), when accessStartsOn is set.' }),
    accessStartsOn: nullable({ type: 'string', enum: [...ACCESS_STARTS], description: 'From when the days count: accepted (the friend accepts the invite) or sent (Helpr sends it). null: the code follows the default settings.' }),
    permissions: nullable({ ...permissionsSchema, description: 'null: the default settings.' }),
    revoked: { type: 'boolean' },
    revokedAt: nullable({ type: 'string', format: 'date-time' }),
    state: { type: 'string', enum: ['active', 'expired', 'used_up', 'revoked'] },
    createdBy: nullable({ type: 'string' }),
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The error handler's JSON: `fields` names each field at fault. */
export const apiErrorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'object', additionalProperties: { type: 'string' } } } },
  },
} as const;
const error = apiErrorSchema;

interface CreateBody {
  code?: string | null;
  label?: string | null;
  expiresAt?: string | null;
  maxUses?: number | null;
  libraries?: string[] | null;
  accessDays?: number | null;
  accessStartsOn?: string | null;
  permissions?: { allowSync?: boolean; allowChannels?: boolean; allowCameraUpload?: boolean } | null;
}

/** GET/POST/DELETE /api/v1/codes. */
export async function codesApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services, config } = opts.deps;

  app.get<{ Querystring: { limit?: number; offset?: number } }>('/codes', {
    schema: {
      tags: ['codes'],
      summary: 'List invite codes, newest first',
      querystring: { type: 'object', properties: { limit: integerParameter(1, 500, { default: 100 }), offset: integerParameter(0, MAX_OFFSET, { default: 0 }) } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: codeView } } } },
    },
  }, async (request) => {
    const base = (await currentLinkBase(request, config, services.settings)).url;
    return { items: (await services.codes.listCodes(request.query)).map((code) => withLink(code, base)) };
  });

  app.post<{ Body: CreateBody }>('/codes', {
    schema: {
      tags: ['codes'],
      summary: 'Create an invite code',
      description: 'Every field is optional: without `code` a random one is made; without `libraries` friends get the usual libraries.',
      body: {
        type: 'object',
        properties: {
          code: nullable({ type: 'string', maxLength: 64, description: 'A custom code: 4 to 32 letters, digits, dashes or underscores (not case-sensitive).' }),
          label: nullable({ type: 'string', maxLength: 200 }),
          expiresAt: nullable({ type: 'string', format: 'date-time', description: 'ISO 8601 with a time zone, in the future.' }),
          maxUses: nullable({ type: 'integer', minimum: 1, maximum: 1_000_000 }),
          libraries: nullable({ type: 'array', maxItems: 200, items: { type: 'string', maxLength: 200 }, description: 'Library local keys (or titles) this code gives instead of the usual ones.' }),
          accessDays: nullable({ type: 'integer', description: `Days of access (1 to ${MAX_ACCESS_DAYS}); null: no end. Omitted (with accessStartsOn): the default settings decide.` }),
          accessStartsOn: nullable({ type: 'string', maxLength: 20, description: 'accepted (default) or sent: from when the days count.' }),
          permissions: nullable({ ...permissionsSchema, description: 'What friends of this code may do beyond watching; a flag left out is not allowed. Omitted or null: the default settings.' }),
        },
      },
      response: { 201: codeView, 400: error, 409: error },
    },
  }, async (request, reply) => {
    const body = request.body ?? {};
    const code = await services.codeAdmin.create(
      {
        code: body.code ?? undefined,
        label: body.label ?? undefined,
        expiresAt: body.expiresAt ?? undefined,
        maxUses: body.maxUses ?? undefined,
        libraries: body.libraries ?? undefined,
        // accessDays given (a number, or null for no end) or a start given: the code's own terms.
        access: 'accessDays' in body || (body.accessStartsOn ?? null) !== null ? { days: body.accessDays ?? null, startsOn: body.accessStartsOn ?? undefined } : undefined,
        permissions: body.permissions ?? undefined,
      },
      actorOf(request),
    );
    return reply.code(201).send(withLink(code, (await currentLinkBase(request, config, services.settings)).url));
  });

  app.delete<{ Params: { id: string } }>('/codes/:id', {
    schema: {
      tags: ['codes'],
      summary: 'Revoke an invite code (its link stops working; idempotent)',
      params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] },
      response: { 200: codeView, 404: error },
    },
  }, async (request) => withLink(await services.codeAdmin.revoke(request.params.id, actorOf(request)), (await currentLinkBase(request, config, services.settings)).url));
}
