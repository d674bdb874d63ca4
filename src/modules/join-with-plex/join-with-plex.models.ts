import type { PlexAccount, PlexPin } from '../../plex/plex.schemas.js';

/** Where a "Continue with Plex" stands, as the page (and its script) shows it. */
export type JoinState =
  | { state: 'waiting'; message?: string }
  | { state: 'done'; redirect: string }
  | { state: 'expired'; message: string }
  | { state: 'cancelled'; message: string }
  | { state: 'error'; message: string };

/**
 * What `plex_join_pins.outcome` holds (JSON). `working`: one poll (of any instance) has the token
 * and is making the request; the others wait for it. Never the token itself.
 */
export type StoredOutcome = { state: 'working' } | { state: 'done'; invitationId: string } | { state: 'expired' } | { state: 'cancelled' } | { state: 'error'; message: string };

export const EXPIRED_MESSAGE = 'The Plex sign-in timed out. Press Continue with Plex to try again.';
export const CANCELLED_MESSAGE = 'You closed the Plex window before signing in. Press Continue with Plex to try again.';
export const UNKNOWN_MESSAGE = 'This Plex sign-in has ended (it timed out, or the link is wrong). Press Continue with Plex to try again.';
export const SLOW_MESSAGE = 'Plex is slow to answer; still waiting.';

/** The friend's account as Helpr passes it on: `confirmed` is false only when plex.tv says so. */
export interface FriendAccount {
  id: number;
  uuid: string;
  username: string;
  email: string | null;
  confirmed: boolean;
}

/** What the invitations service needs to record a Plex join (its PlexJoinInput, src/modules/invitations). */
export interface PlexJoinRequest {
  account: FriendAccount;
  /** The friend's plex.tv token: for the join job only, never stored in clear or logged. */
  friendToken: string;
  /** As the friend gave it (checked before the sign-in; its use is claimed with the request). */
  code: string | undefined;
  rulesAccepted: boolean;
  clientIp: string;
  userAgent: string | undefined;
}

/** The invitations service's side of Join with Plex. */
export interface PlexJoinSubmitter {
  submitPlexJoin(input: PlexJoinRequest): Promise<{ invitation: { id: string } }>;
  /** Makes a join job waiting for the friend (unconfirmed email) due now. */
  wakeJoin(id: string): Promise<unknown>;
}

/** The plex.tv calls a join makes (PlexClient['tv'] has them; tests pass a fake). */
export interface JoinPlexTv {
  createPin(): Promise<PlexPin>;
  checkPin(pinId: number): Promise<PlexPin>;
  getAccount(token: string): Promise<PlexAccount>;
  authUrl(pin: Pick<PlexPin, 'code'>, forwardUrl?: string): string;
}

/** What starting a sign-in gives the page: the popup's address, the no-JS redirect, and where to poll. */
export interface StartedJoin {
  id: string;
  /** app.plex.tv for the popup (the script closes it once the sign-in is over). */
  authUrl: string;
  /** app.plex.tv with forwardUrl back to the return page: the whole tab goes there (no JS, phones). */
  redirectUrl: string;
  statusUrl: string;
  cancelUrl: string;
  returnUrl: string;
}
