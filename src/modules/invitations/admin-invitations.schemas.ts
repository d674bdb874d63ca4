import { integerParameter, MAX_PAGE } from '../../paging.js';
import { STATUS_FILTERS, INVITATION_STATUSES, MAX_SEARCH_LENGTH } from './admin-invitations.filter.js';

/** JSON schemas of the invitations API: they validate input, shape output and write the OpenAPI document. */

const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A UTC day, YYYY-MM-DD (inclusive).', example: '2026-11-24' } as const;

export const invitationJson = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    identifier: { type: 'string', description: 'The email address (lower-cased) or Plex username invited; for a Plex sign-in, the account’s username (its email when it has none).' },
    identifierKind: { type: 'string', enum: ['email', 'username'] },
    status: {
      type: 'string',
      enum: [...INVITATION_STATUSES],
      description:
        '`sent`: the libraries are shared and the invite waits for the friend to accept it in Plex. `accepted`: the friend signed in with Plex, and Helpr shared the libraries and accepted the invite for them, so they can watch now. `already_shared`, `already_invited`: Plex had a share or an invite for them already, so nothing new was sent.',
    },
    source: { type: 'string', enum: ['public', 'admin', 'api'], description: 'Who started it: the public page, the admin area or the API.' },
    code: { ...nullableString, description: 'The invite code used, if any.' },
    libraries: { type: 'array', items: { type: 'string' }, description: 'Local library keys shared (empty: the default selection). For already_shared and already_invited, what the existing Plex share gives (empty when Plex did not say).' },
    attempts: { type: 'integer', minimum: 0 },
    error: { ...nullableString, description: 'What went wrong on the last attempt, if anything.' },
    errorKind: nullableString,
    clientIp: nullableString,
    createdAt: dateTime,
    updatedAt: dateTime,
    sentAt: nullableDateTime,
    nextAttemptAt: { ...nullableDateTime, description: 'When a pending invitation is tried next.' },
    joinedWith: { type: 'string', enum: ['plex', 'email'], description: '`plex`: the friend signed in with Plex; `email`: an email address or username was typed (the public form, the admin area or the API).' },
    plexAccountId: { ...nullableString, description: 'The friend’s plex.tv account id, when known (always for `joinedWith` `plex`).', example: '12345678' },
  },
  required: ['id', 'identifier', 'identifierKind', 'status', 'source', 'code', 'libraries', 'attempts', 'error', 'errorKind', 'clientIp', 'createdAt', 'updatedAt', 'sentAt', 'nextAttemptAt', 'joinedWith', 'plexAccountId'],
  additionalProperties: false,
} as const;

const errorJson = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'object', additionalProperties: { type: 'string' } } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `error.fields` names each field.',
  401: 'No valid API key.',
  404: 'No invitation with this id.',
  409: 'Not possible in the invitation’s current state.',
  502: 'Plex failed; nothing was changed.',
};

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { ...errorJson, description: ERROR_DESCRIPTIONS[status] }]));

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, description: 'The invitation id.' } },
  required: ['id'],
} as const;

export const listQuery = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: [...STATUS_FILTERS], default: 'all', description: 'One status, or `all`. `accepted` (the friend can watch now) and `sent` (waiting for the friend to accept in Plex) are separate.' },
    from: day,
    to: day,
    q: { type: 'string', maxLength: MAX_SEARCH_LENGTH, description: 'Part of an email address or username (case-insensitive).' },
    page: integerParameter(1, MAX_PAGE, { default: 1 }),
    perPage: integerParameter(1, 100, { default: 25 }),
  },
  additionalProperties: false,
} as const;

export const listResponse = {
  200: {
    type: 'object',
    properties: { items: { type: 'array', items: invitationJson }, page: { type: 'integer' }, perPage: { type: 'integer' }, total: { type: 'integer' } },
    required: ['items', 'page', 'perPage', 'total'],
    additionalProperties: false,
  },
  ...errors(400, 401),
};

export const createBody = {
  type: 'object',
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 254, description: 'An email address or a Plex username.' },
    libraries: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'string', minLength: 1, maxLength: 100 },
      description: 'Local library keys to share instead of the default selection.',
    },
  },
  required: ['email'],
  additionalProperties: false,
} as const;

export const createResponse = { 201: { ...invitationJson, description: 'The invitation, as sent or as still pending.' }, ...errors(400, 401) };
export const retryResponse = { 200: { ...invitationJson, description: 'The invitation after the attempt.' }, ...errors(401, 404, 409) };
export const approveResponse = {
  200: { ...invitationJson, description: 'The invitation after approval and the first attempt: sent, accepted (a Plex sign-in), already shared, pending (Helpr keeps trying) or failed.' },
  ...errors(401, 404, 409),
};
export const declineResponse = { 200: { ...invitationJson, description: 'The invitation, declined: it is never sent.' }, ...errors(401, 404, 409) };
export const retryFailedResponse = {
  200: {
    type: 'object',
    properties: {
      queued: { type: 'integer', minimum: 0, description: 'How many failed invitations were queued again.' },
      refused: { type: 'integer', minimum: 0, description: 'How many failed invitations were left as they are: Plex would refuse them again.' },
    },
    required: ['queued', 'refused'],
    additionalProperties: false,
  },
  ...errors(401),
};
export const revokeResponse = {
  200: {
    type: 'object',
    properties: {
      status: { type: 'string', enum: ['revoked'] },
      removedFromPlex: { type: 'boolean', description: 'False when Plex had no share or pending invite for this person.' },
    },
    required: ['status', 'removedFromPlex'],
    additionalProperties: false,
  },
  ...errors(401, 404, 409, 502),
};
