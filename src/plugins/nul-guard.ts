import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

const NUL = '\u0000';
// Deeper than any input Helpr reads; schemas refuse deeper structures anyway.
const MAX_DEPTH = 32;

/** Where the first NUL character is in `value` (a field name, "libraries.0"), or undefined. */
export function nulPath(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path || 'value' : undefined;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = path ? `${path}.${key}` : key;
    if (key.includes(NUL)) return itemPath;
    const found = nulPath(item, itemPath, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * No text Helpr takes (names, addresses, codes, searches, ids) has a place for a NUL character, and
 * PostgreSQL refuses to store or even compare one: "%00" in a search, a sign-in name or an address
 * ended in a database error (500). It is refused where input enters, the same on every database.
 */
export const nulGuardPlugin = fp(async (app: FastifyInstance) => {
  // A callback hook, not an async one: it runs on every request, the public page's included.
  app.addHook('preValidation', (request: FastifyRequest, _reply, done) => {
    const field = nulPath(request.params) ?? nulPath(request.query) ?? nulPath(request.body);
    if (field === undefined) return done();
    // Plain words: a friend who pasted a stray invisible character should just type it again.
    const message = 'Something you typed contains an invisible character that cannot be used. Please type it again.';
    done(new AppError('request.invalid_character', message, { status: 400, fields: { [field]: 'contains an invisible character that cannot be used: please type it again' } }));
  });
});
