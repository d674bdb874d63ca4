import { AccountStore, type Account } from './accounts.js';
import type { SimClock } from './clock.js';
import { PinStore, type Pin } from './pins.js';
import type { SeedLibrary, SeedShare, SimSeed } from './seed.js';
import { DEFAULT_SETTINGS, ShareStore } from './shares.js';

export type Library = SeedLibrary;

export interface OwnedServer {
  machineIdentifier: string;
  name: string;
  accessToken: string;
  serverId: number;
  version: string;
  ownerId: number;
  createdAt: Date;
  /** Mutable so a test can make "a library disappeared". */
  libraries: Library[];
}

/** A v2 error answer: `{"errors":[{code, message, status}]}` (or its XML form). */
export interface SimErrorAnswer {
  status: number;
  code: number;
  message: string;
}

/**
 * [assume] What plex.tv answers when an account whose email address is not confirmed accepts an
 * invite. Nobody has recorded the real answer (plex-api.md has none); this is the issue 12 design's guess.
 */
export const UNCONFIRMED_ACCEPT_ERROR: SimErrorAnswer = {
  status: 400,
  code: 1069,
  message: 'Please confirm your email address before accepting invitations',
};

/** Switches that change how the simulator answers; kept apart from the data so reset restores both. */
export interface SimBehaviour {
  /** Makes the v1 shared_servers family answer 410 like the other removed routes. */
  v1SharingGone: boolean;
  /** The v2 duplicate-share status is unverified (plex-api.md §6.2), so it is configurable. */
  v2DuplicateStatus: number;
  /** Whether `[]` as library ids shares every library (CANT's claim) or is rejected. */
  emptyLibraryIds: 'all' | 'reject';
  /** `/api/v2/servers/{mid}` answers an empty `librarySections` this many more times (Wizarr's flakiness). */
  emptyV2SectionsRemaining: number;
  /**
   * Whether plex.tv itself also answers the v2 shared_servers family. Off by default: those calls
   * belong on clients.plex.tv (the host Plex Web uses), and a client that sends them to plex.tv is
   * caught. plex-api.md reports that plex.tv serves the same paths too; turn this on to get that.
   */
  v2SharingOnPlexTv: boolean;
  /**
   * The answer to an accept (E10) by an account whose email is not confirmed; null lets such an
   * account accept like any other. The default is an assumption (UNCONFIRMED_ACCEPT_ERROR).
   */
  unconfirmedAcceptError: SimErrorAnswer | null;
}

export const DEFAULT_BEHAVIOUR: SimBehaviour = {
  v1SharingGone: false,
  v2DuplicateStatus: 422,
  emptyLibraryIds: 'all',
  emptyV2SectionsRemaining: 0,
  v2SharingOnPlexTv: false,
  unconfirmedAcceptError: UNCONFIRMED_ACCEPT_ERROR,
};

export class SimState {
  readonly accounts = new AccountStore();
  readonly shares = new ShareStore();
  readonly pins: PinStore;
  readonly owner: Account;
  readonly server: OwnedServer;
  readonly behaviour: SimBehaviour;

  constructor(
    seed: SimSeed,
    readonly clock: SimClock,
    options: { pinTtlSeconds: number; behaviour: SimBehaviour },
  ) {
    this.pins = new PinStore(clock, options.pinTtlSeconds);
    this.behaviour = { ...options.behaviour };
    this.owner = this.accounts.add({ ...seed.owner, plexPass: seed.owner.plexPass ?? true });
    seed.friends.forEach((friend) => this.accounts.add(friend));
    const { libraries, ...server } = seed.server;
    const ownLibraries = libraries.map((lib) => ({ ...lib }));
    this.server = { ...server, ownerId: this.owner.id, createdAt: clock.now(), libraries: ownLibraries };
    seed.shares.forEach((share) => this.seedShare(share));
  }

  findLibraryById(id: number): Library | undefined {
    return this.server.libraries.find((lib) => lib.id === id);
  }

  /** Libraries a share grants, in server order; ids of libraries removed since are dropped. */
  sharedLibraries(share: { libraryIds: number[]; allLibraries: boolean }): Library[] {
    if (share.allLibraries) return [...this.server.libraries];
    return this.server.libraries.filter((lib) => share.libraryIds.includes(lib.id));
  }

  /** Resolves "email or username" the way v1 `invited_email` does. */
  findInvitee(emailOrUsername: string): Account | undefined {
    return emailOrUsername.includes('@')
      ? this.accounts.findByEmail(emailOrUsername)
      : this.accounts.findByUsername(emailOrUsername);
  }

  /** What app.plex.tv does when the user approves: a fresh token for that account goes on the PIN. */
  approvePin(pin: Pin, account: Account): string {
    const token = this.accounts.issueToken(account.id);
    this.pins.approve(pin, account.id, token);
    return token;
  }

  private seedShare(seed: SeedShare): void {
    const account = this.findInvitee(seed.invitee);
    if (!account && !seed.invitee.includes('@')) throw new Error(`seed share: unknown user ${seed.invitee}`);
    const share = this.shares.create({
      machineIdentifier: this.server.machineIdentifier,
      ownerId: this.owner.id,
      invitedId: account?.id ?? null,
      invitedEmail: account ? null : seed.invitee,
      invitedAt: this.clock.now(),
      libraryIds: [...seed.libraryIds],
      allLibraries: seed.libraryIds.length === 0,
      settings: { ...DEFAULT_SETTINGS },
    });
    if (seed.accepted && account) this.shares.accept(share, account.id, this.clock.now());
  }
}
