import type { PlexClient } from '../../plex/plex-client.js';

/** What "already sharing" turned out to be: access, or an invite the person has not accepted yet. */
export type ExistingShareOutcome = { status: 'already_shared' | 'already_invited'; libraries: string[] };

/**
 * Plex answered "already sharing": one look at that share tells whether the person has access or
 * an invite still waiting for them, and which libraries it really gives (the request's wish may
 * differ). The libraries are left empty when plex.tv cannot say ("already had access", no list);
 * a failed look never fails the invitation, which then reads as access, as before.
 */
export async function existingShareOutcome(
  client: Pick<PlexClient, 'shareDetails'>,
  token: string,
  serverId: string,
  identifier: string,
): Promise<ExistingShareOutcome> {
  const details = await client.shareDetails(token, serverId, identifier).catch(() => undefined);
  return { status: details?.pending ? 'already_invited' : 'already_shared', libraries: details?.libraryKeys ?? [] };
}
