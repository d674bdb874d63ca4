import { z } from 'zod';
import { PlexError } from './plex.errors.js';

/** Schemas for what Helpr reads from Plex: only the fields it relies on, everything else passes. */

const numeric = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const flag = z.union([z.boolean(), z.literal('1').transform(() => true), z.literal('0').transform(() => false), z.number().transform((n) => n === 1)]);

export const accountSchema = z.object({
  id: numeric,
  uuid: z.string(),
  username: z.string(),
  email: z.string().nullish(),
  title: z.string().nullish(),
  thumb: z.string().nullish(),
  /**
   * Whether the account's email address is confirmed (plex.tv's `confirmed`). Absent (or null) means
   * confirmed: only a `false` says the account cannot accept invites yet.
   */
  confirmed: z.preprocess((value) => (value === null ? undefined : value), flag.optional()),
});
export type PlexAccount = z.infer<typeof accountSchema>;

export const connectionSchema = z.object({
  protocol: z.string().nullish(),
  address: z.string().nullish(),
  port: numeric.nullish(),
  uri: z.string(),
  local: flag.default(false),
  relay: flag.default(false),
  IPv6: flag.optional(),
});
export type PlexConnection = z.infer<typeof connectionSchema>;

export const resourceSchema = z.object({
  name: z.string(),
  clientIdentifier: z.string(),
  provides: z.string().default(''),
  owned: flag.default(false),
  accessToken: z.string().nullish(),
  productVersion: z.string().nullish(),
  presence: flag.optional(),
  connections: z.array(connectionSchema).default([]),
});
export type PlexResource = z.infer<typeof resourceSchema>;

export const librarySectionSchema = z.object({
  id: numeric,
  key: numeric,
  title: z.string(),
  type: z.string(),
});

export const pinSchema = z.object({
  id: numeric,
  code: z.string(),
  authToken: z.string().nullish(),
  expiresAt: z.string().nullish(),
  expiresIn: numeric.nullish(),
});
export type PlexPin = z.infer<typeof pinSchema>;

/** A plex.tv time: unix seconds (v1 XML, "0" for never) or ISO-8601 (v2 JSON). */
const plexTime = z.union([z.string(), z.number()]).nullish();

/** A plex.tv time as a Date; undefined when absent, zero ("never") or unreadable. */
export function plexTimeOf(value: string | number | null | undefined): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const numeric = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : undefined;
  // Seconds, as plex.tv writes them; a number too large for seconds is taken as milliseconds.
  const ms = numeric === undefined ? Date.parse(String(value)) : numeric < 1e11 ? numeric * 1000 : numeric;
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : undefined;
}

const invitedSchema = z.object({ id: numeric.nullish(), username: z.string().nullish(), email: z.string().nullish(), title: z.string().nullish() });

export const sharedServerSchema = z.object({
  id: numeric,
  machineIdentifier: z.string().nullish(),
  invitedId: numeric.nullish(),
  invitedEmail: z.string().nullish(),
  invited: invitedSchema.nullish(),
  accepted: flag.nullish(),
  /** A share of every library, present and future: a list of ids sent in an update would narrow it. */
  allLibraries: flag.nullish(),
  /** Sent back unchanged with a library update, so the update does not reset them. */
  sharingSettings: z.record(z.string(), z.unknown()).nullish(),
  libraries: z.array(z.object({ id: numeric, key: numeric.nullish(), title: z.string().nullish() })).nullish(),
  /** When the share (or its invite) was made: what tells a share Helpr made from an older one. */
  invitedAt: plexTime,
  createdAt: plexTime,
});
export type PlexSharedServer = z.infer<typeof sharedServerSchema>;

export const pendingInviteSchema = z.object({
  id: numeric.nullish(),
  invitedEmail: z.string().nullish(),
  invited: invitedSchema.nullish(),
  owner: z.object({ id: numeric.nullish(), username: z.string().nullish(), title: z.string().nullish(), email: z.string().nullish(), friendlyName: z.string().nullish() }).nullish(),
  createdAt: plexTime,
  sharedServers: z.array(sharedServerSchema.partial({ id: true }).extend({ id: numeric })).default([]),
});
export type PlexPendingInvite = z.infer<typeof pendingInviteSchema>;

export const pmsIdentitySchema = z.object({
  MediaContainer: z.object({ machineIdentifier: z.string(), version: z.string().nullish() }),
});

export const pmsSectionsSchema = z.object({
  MediaContainer: z.object({
    Directory: z.array(z.object({ key: z.union([z.string(), z.number()]).transform(String), title: z.string(), type: z.string() })).default([]),
  }),
});

/** Validates a Plex answer where it enters; a shape we do not understand is an upstream failure. */
export function validatePlex<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new PlexError('upstream', `Plex sent an answer Helpr does not understand while ${what} (${issue?.path.join('.') || 'root'}: ${issue?.message})`, {
      cause: result.error,
    });
  }
  return result.data;
}

export function parsePlexJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // No cause: V8's message quotes the start of the text, which may be an account answer with its token.
    throw new PlexError('upstream', `Plex sent JSON that could not be read while ${what}`);
  }
}
