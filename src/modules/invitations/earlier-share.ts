import { isPlexError } from '../../plex/plex.errors.js';
import type { FoundShare, PlexSharingClient } from '../../plex/plex-sharing.client.js';

/**
 * plex.tv's clock and Helpr's may disagree (a server without NTP drifts minutes). A share counts as
 * older than the request only when plex.tv says it was made more than this before the request was
 * saved; one made around that time or later is taken for Helpr's own.
 */
export const CLOCK_SKEW_MARGIN_MS = 10 * 60_000;

/**
 * What a share found on plex.tv for an unconfirmed invitation is:
 * - 'helpr': made by Helpr's earlier attempt (not older than the request), so the invite was sent;
 * - 'before': older than the request: the person had access (or an invite) before Helpr's first
 *   attempt, which is what "already shared" means.
 * Helpr's first attempt cannot have started before the request was saved (`created_at`), so a share
 * made well before then is not Helpr's. When plex.tv does not say when the share was made, it is
 * taken for Helpr's own: the attempt may have made it (that is why the invitation is unconfirmed).
 */
export function whoMadeShare(share: Pick<FoundShare, 'invitedAt'>, requestSavedAt: string): 'helpr' | 'before' {
  if (!share.invitedAt) return 'helpr';
  return share.invitedAt.getTime() < Date.parse(requestSavedAt) - CLOCK_SKEW_MARGIN_MS ? 'before' : 'helpr';
}

export type EarlierShare = (FoundShare & { madeBy: 'helpr' | 'before' }) | 'none' | 'unlisted';

/**
 * The share an earlier attempt may have made unseen (the invitation is unconfirmed), looked up
 * before sending again: 'none' when there is none, 'unlisted' when plex.tv cannot list shares at
 * all (a route removed, a refusal other than the token: the send then decides alone). Temporary
 * failures and a refused token are thrown, to be handled like the send's own.
 */
export async function findEarlierShare(
  sharing: Pick<PlexSharingClient, 'findShare'>,
  token: string,
  serverId: string,
  invitation: { identifier: string; created_at: string },
): Promise<EarlierShare> {
  try {
    const share = await sharing.findShare(token, serverId, invitation.identifier);
    return share ? { ...share, madeBy: whoMadeShare(share, invitation.created_at) } : 'none';
  } catch (error) {
    if (isPlexError(error) && (error.kind === 'not_found' || error.kind === 'rejected')) return 'unlisted';
    throw error;
  }
}

/**
 * Whether a failed invite call may have made the invite all the same, so the next attempt must
 * look before sending (the invitation is marked unconfirmed):
 * - no answer (a timeout, a cut connection): plex.tv may have acted before the answer was lost;
 * - an answer that could not be read (no HTTP status: a 2xx whose body made no sense);
 * - 502 or 504: a gateway in front of plex.tv answering for it, having lost the connection to it or
 *   given up waiting: the same unknown as our own timeout.
 * Any other 5xx (500, 503...) is plex.tv itself saying it failed, with its error body: the share
 * was not made. Marking those unconfirmed cost little, but not marking them keeps "already sharing"
 * after them what it means (access from before), with no lookup.
 */
export function inviteMayExist(error: { kind: string; status?: number | undefined }): boolean {
  if (error.kind === 'timeout' || error.kind === 'network') return true;
  if (error.kind !== 'upstream') return false;
  return error.status === undefined || error.status === 502 || error.status === 504;
}
