import { randomToken } from './accounts.js';

export interface ShareSettings {
  allowSync: boolean;
  allowChannels: boolean;
  allowCameraUpload: boolean;
  allowSubtitleAdmin: boolean;
  allowTuners: number;
  filterMovies: string;
  filterTelevision: string;
  filterMusic: string;
  filterPhotos: string | null;
  filterAll: string | null;
}

export const DEFAULT_SETTINGS: ShareSettings = {
  allowSync: false,
  allowChannels: false,
  allowCameraUpload: false,
  allowSubtitleAdmin: false,
  allowTuners: 0,
  filterMovies: '',
  filterTelevision: '',
  filterMusic: '',
  filterPhotos: null,
  filterAll: null,
};

export interface Share {
  /** v1 id (`SharedServer@id`, `User/Server@id`); deliberately different from v2Id so mixing them up fails. */
  v1Id: number;
  /** v2 id (`shared_servers/owned/accepted[].id`, `sharedServers[].id`). */
  v2Id: number;
  machineIdentifier: string;
  ownerId: number;
  /** null for an email-only invite to someone without a Plex account. */
  invitedId: number | null;
  invitedEmail: string | null;
  accepted: boolean;
  invitedAt: Date;
  acceptedAt: Date | null;
  libraryIds: number[];
  allLibraries: boolean;
  settings: ShareSettings;
  /** The token the friend uses against the PMS once the share is accepted. */
  accessToken: string;
}

export type NewShare = Omit<Share, 'v1Id' | 'v2Id' | 'accepted' | 'acceptedAt' | 'accessToken'>;

/** Shares (pending and accepted) plus friendships, which outlive a single server share as on plex.tv. */
export class ShareStore {
  private readonly shares = new Map<number, Share>();
  /** Shares by server and invitee (`mid#id`, `mid@email`), for the look-up every invite makes. */
  private readonly byInvitee = new Map<string, Share[]>();
  /** Shares by invitee across servers (`id:<account>`, `email:<address>`), for an account's received invites. */
  private readonly byRecipient = new Map<string, Set<Share>>();
  private readonly friendships = new Set<string>();
  private nextV1Id = 907759180;
  private nextV2Id = 123456789;

  create(input: NewShare): Share {
    const share: Share = {
      ...input,
      v1Id: this.nextV1Id++,
      v2Id: this.nextV2Id++,
      accepted: false,
      acceptedAt: null,
      accessToken: randomToken(),
    };
    this.shares.set(share.v2Id, share);
    this.index(share);
    return share;
  }

  private static inviteeKeys(machineIdentifier: string, invitedId: number | null, invitedEmail: string | null): { byId?: string; byEmail: string } {
    return {
      byId: invitedId !== null ? `${machineIdentifier}#${invitedId}` : undefined,
      byEmail: `${machineIdentifier}@${invitedEmail?.toLowerCase() ?? ''}`,
    };
  }

  private static recipientKeys(share: Share): string[] {
    return [share.invitedId !== null ? `id:${share.invitedId}` : undefined, share.invitedEmail ? `email:${share.invitedEmail.toLowerCase()}` : undefined].filter((key): key is string => key !== undefined);
  }

  private index(share: Share): void {
    for (const key of ShareStore.recipientKeys(share)) {
      const set = this.byRecipient.get(key);
      if (set) set.add(share);
      else this.byRecipient.set(key, new Set([share]));
    }
    const { byId, byEmail } = ShareStore.inviteeKeys(share.machineIdentifier, share.invitedId, share.invitedEmail);
    for (const key of byId ? [byId, byEmail] : [byEmail]) {
      const list = this.byInvitee.get(key);
      if (!list) this.byInvitee.set(key, [share]);
      else if (!list.includes(share)) list.push(share);
    }
  }

  byV1Id(id: number): Share | undefined {
    return this.all().find((share) => share.v1Id === id);
  }

  byV2Id(id: number): Share | undefined {
    return this.shares.get(id);
  }

  /** Called on every invite: through an index, so thousands of shares (a benchmark's) cost nothing. */
  findExisting(machineIdentifier: string, invitedId: number | null, invitedEmail: string | null): Share | undefined {
    const { byId, byEmail } = ShareStore.inviteeKeys(machineIdentifier, invitedId, invitedEmail);
    const email = invitedEmail?.toLowerCase();
    // The index may hold removed shares or an invitee id that changed on acceptance: check again.
    return this.byInvitee
      .get(byId ?? byEmail)
      ?.find(
        (share) =>
          this.shares.get(share.v2Id) === share &&
          share.machineIdentifier === machineIdentifier &&
          (invitedId !== null ? share.invitedId === invitedId : share.invitedEmail?.toLowerCase() === email),
      );
  }

  ownedBy(ownerId: number): Share[] {
    return this.all().filter((share) => share.ownerId === ownerId);
  }

  /** Pending invites addressed to this account, by id or (for invites sent before it existed) by email. */
  receivedBy(account: { id: number; email: string }): Share[] {
    const email = account.email.toLowerCase();
    // Through the recipient index (thousands of shares in a benchmark), in the order they were made.
    const candidates = new Set([...(this.byRecipient.get(`id:${account.id}`) ?? []), ...(this.byRecipient.get(`email:${email}`) ?? [])]);
    return [...candidates].sort((a, b) => a.v2Id - b.v2Id).filter(
      (share) =>
        !share.accepted &&
        (share.invitedId === account.id || (share.invitedId === null && share.invitedEmail?.toLowerCase() === email)),
    );
  }

  accept(share: Share, accountId: number, at: Date): void {
    share.accepted = true;
    share.acceptedAt = at;
    share.invitedId = accountId;
    this.index(share);
    this.friendships.add(`${share.ownerId}:${accountId}`);
  }

  remove(share: Share): void {
    this.shares.delete(share.v2Id);
    for (const key of ShareStore.recipientKeys(share)) {
      const set = this.byRecipient.get(key);
      set?.delete(share);
      if (set?.size === 0) this.byRecipient.delete(key);
    }
    const { byId, byEmail } = ShareStore.inviteeKeys(share.machineIdentifier, share.invitedId, share.invitedEmail);
    for (const key of byId ? [byId, byEmail] : [byEmail]) {
      const rest = this.byInvitee.get(key)?.filter((other) => other !== share);
      if (rest?.length) this.byInvitee.set(key, rest);
      else this.byInvitee.delete(key);
    }
  }

  /** Ends the friendship and every share between the two accounts; false when there was nothing to end. */
  removeFriend(ownerId: number, userId: number): boolean {
    const shares = this.ownedBy(ownerId).filter((share) => share.invitedId === userId);
    shares.forEach((share) => this.remove(share));
    const wasFriend = this.friendships.delete(`${ownerId}:${userId}`);
    return wasFriend || shares.length > 0;
  }

  friendIdsOf(ownerId: number): number[] {
    return [...this.friendships]
      .map((pair) => pair.split(':').map(Number))
      .filter(([owner]) => owner === ownerId)
      .map(([, friend]) => friend as number);
  }

  byAccessToken(token: string): Share | undefined {
    return this.all().find((share) => share.accepted && share.accessToken === token);
  }

  all(): Share[] {
    return [...this.shares.values()];
  }
}
