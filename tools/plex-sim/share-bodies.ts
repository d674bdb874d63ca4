import { z } from 'zod';
import type { Invitee } from './invites.js';
import type { ShareSettings } from './shares.js';

/** Request bodies of the share endpoints, parsed leniently in the ways real clients differ. */
const sectionId = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const sectionIds = z.array(sectionId);

// v1 sends flags as "1"/"0" strings, v2 as booleans (plex-api.md E5a, E5b).
const flag = z.union([z.boolean(), z.enum(['0', '1', 'true', 'false']), z.literal(0), z.literal(1)]).transform(
  (value) => value === true || value === 1 || value === '1' || value === 'true',
);
const filter = z.string().nullable();

const settingsSchema = z
  .object({
    allowSync: flag,
    allowChannels: flag,
    allowCameraUpload: flag,
    allowSubtitleAdmin: flag,
    allowTuners: z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]),
    filterMovies: z.string(),
    filterTelevision: z.string(),
    filterMusic: z.string(),
    filterPhotos: filter,
    filterAll: filter,
  })
  .partial();

const v1InviteSchema = z.object({
  server_id: z.string().optional(),
  shared_server: z.object({
    library_section_ids: sectionIds.optional(),
    invited_email: z.string().min(1).optional(),
    invited_id: sectionId.optional(),
  }),
  sharing_settings: settingsSchema.optional(),
});

const v2InviteSchema = z.object({
  machineIdentifier: z.string().min(1),
  invitedEmail: z.string().min(1).optional(),
  invitedId: sectionId.optional(),
  librarySectionIds: sectionIds.optional(),
  settings: settingsSchema.optional(),
  skipFriendship: z.unknown().optional(),
});

const v2UpdateSchema = z.object({ librarySectionIds: sectionIds.optional(), settings: settingsSchema.optional() });

export interface ParsedInvite {
  invitee: Invitee;
  libraryIds: number[];
  settings: Partial<ShareSettings>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const invalid = (message: string): Parsed<never> => ({ ok: false, message });

function inviteeOf(email: string | undefined, id: number | undefined): Invitee | undefined {
  if (id !== undefined) return { id };
  return email === undefined ? undefined : { emailOrUsername: email };
}

export function parseV1Invite(body: unknown): Parsed<ParsedInvite> {
  const parsed = v1InviteSchema.safeParse(body);
  if (!parsed.success) return invalid('Invalid shared_server parameters');
  const { shared_server: shared, sharing_settings: settings } = parsed.data;
  const invitee = inviteeOf(shared.invited_email, shared.invited_id);
  if (!invitee) return invalid('invited_email or invited_id is required');
  return { ok: true, value: { invitee, libraryIds: shared.library_section_ids ?? [], settings: settings ?? {} } };
}

export function parseV1Update(body: unknown): Parsed<{ libraryIds?: number[] }> {
  const shared = (body as { shared_server?: unknown } | null)?.shared_server;
  const parsed = v1InviteSchema.shape.shared_server.safeParse(shared);
  if (!parsed.success) return invalid('Invalid shared_server parameters');
  return { ok: true, value: { libraryIds: parsed.data.library_section_ids } };
}

export function parseV2Invite(body: unknown): Parsed<ParsedInvite & { machineIdentifier: string }> {
  const parsed = v2InviteSchema.safeParse(body);
  if (!parsed.success) return invalid('machineIdentifier and invitedEmail are required');
  const { machineIdentifier, invitedEmail, invitedId, librarySectionIds, settings } = parsed.data;
  const invitee = inviteeOf(invitedEmail, invitedId);
  if (!invitee) return invalid('invitedEmail or invitedId is required');
  const libraryIds = librarySectionIds ?? [];
  return { ok: true, value: { machineIdentifier, invitee, libraryIds, settings: settings ?? {} } };
}

export function parseV2Update(body: unknown): Parsed<{ libraryIds?: number[]; settings?: Partial<ShareSettings> }> {
  const parsed = v2UpdateSchema.safeParse(body ?? {});
  if (!parsed.success) return invalid('Invalid librarySectionIds or settings');
  return { ok: true, value: { libraryIds: parsed.data.librarySectionIds, settings: parsed.data.settings } };
}

/** E7b passes settings as query parameters. */
export function parseSettingsQuery(query: unknown): Parsed<Partial<ShareSettings>> {
  const parsed = settingsSchema.safeParse(query ?? {});
  return parsed.success ? { ok: true, value: parsed.data } : invalid('Invalid sharing settings');
}
