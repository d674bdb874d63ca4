import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** URL-encoded form bodies (every page form), bounded: nothing Helpr accepts is larger. */
export const FORM_BODY_LIMIT = 16 * 1024;

export const formsPlugin = fp(async (app: FastifyInstance) => {
  await app.register(formbody, { bodyLimit: FORM_BODY_LIMIT });
});
