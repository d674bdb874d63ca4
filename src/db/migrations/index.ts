import type { Migration } from 'kysely';
import { initialSchema } from './0001-initial-schema.js';

/** The static, ordered migration list: the one tree for both dialects. Append, never edit. */
export const migrations: Record<string, Migration> = {
  '0001-initial-schema': initialSchema,
};
