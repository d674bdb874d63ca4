import type { Account } from './accounts.js';
import { plexIso, unixSeconds } from './clock.js';
import type { Pin } from './pins.js';
import type { Share } from './shares.js';
import type { Library, SimState } from './sim-state.js';

/** JSON shapes of the v2 API (plex-api.md §2); XML forms are derived from these by xml.ts. */
type Json = Record<string, unknown>;

const thumbOf = (account: Account): string => `https://plex.tv/users/${account.uuid}/avatar?c=1`;

/** The identity fields every account shape starts with. */
const identityJson = (account: Account): Json => ({
  id: account.id,
  uuid: account.uuid,
  username: account.username,
  title: account.title,
  email: account.email,
});

export function userJson(account: Account, authToken: string): Json {
  return {
    ...identityJson(account),
    friendlyName: account.title,
    authToken,
    thumb: thumbOf(account),
    home: account.plexPass,
    homeAdmin: account.plexPass,
    restricted: false,
    twoFactorEnabled: false,
    confirmed: account.confirmed,
    joinedAt: 946730096,
    subscription: account.plexPass
      ? { active: true, status: 'Active', plan: 'lifetime', features: ['federated-auth', 'shared-radio'] }
      : { active: false, status: 'Inactive', plan: null, features: [] },
    roles: account.plexPass ? ['plexpass'] : [],
  };
}

export function libraryJson(lib: Library): Json {
  return { id: lib.id, key: lib.key, title: lib.title, type: lib.type };
}

export function invitedJson(account: Account): Json {
  return {
    ...identityJson(account),
    friendlyName: null,
    thumb: thumbOf(account),
    home: false,
    restricted: false,
  };
}

/** One entry of `shared_servers/owned/accepted` (E6c); pending invites reuse it in `sharedServers`. */
export function sharedServerJson(state: SimState, share: Share): Json {
  const invited = share.invitedId === null ? undefined : state.accounts.findById(share.invitedId);
  return {
    id: share.v2Id,
    name: state.server.name,
    machineIdentifier: share.machineIdentifier,
    ownerId: share.ownerId,
    accepted: share.accepted,
    owned: true,
    invitedId: share.invitedId,
    invitedEmail: share.invitedEmail,
    invited: invited ? invitedJson(invited) : null,
    allLibraries: share.allLibraries,
    libraries: state.sharedLibraries(share).map(libraryJson),
    sharingSettings: { ...share.settings },
    invitedAt: plexIso(share.invitedAt),
    acceptedAt: share.acceptedAt ? plexIso(share.acceptedAt) : null,
    deletedAt: null,
    leftAt: null,
  };
}

/** E6d: one pending invite per share, the share itself under `sharedServers` (shape partly assumed, §6.6). */
export function ownedPendingJson(state: SimState, share: Share): Json {
  const invited = share.invitedId === null ? undefined : state.accounts.findById(share.invitedId);
  return {
    id: share.invitedId ?? share.v2Id,
    createdAt: plexIso(share.invitedAt),
    friend: true,
    server: true,
    home: false,
    invitedEmail: share.invitedEmail ?? invited?.email ?? null,
    invited: invited ? invitedJson(invited) : null,
    sharedServers: [sharedServerJson(state, share)],
    sharedSources: [],
  };
}

/** E10: what the invitee sees, grouped by owner (Wizarr matches `owner.username`). */
export function receivedInviteJson(state: SimState, owner: Account, shares: Share[]): Json {
  const first = shares[0];
  return {
    id: owner.id,
    createdAt: first ? plexIso(first.invitedAt) : null,
    friend: true,
    server: true,
    home: false,
    owner: {
      id: owner.id,
      uuid: owner.uuid,
      username: owner.username,
      title: owner.title,
      friendlyName: owner.title,
      email: null,
      thumb: thumbOf(owner),
    },
    sharedServers: shares.map((share) => ({
      id: share.v2Id,
      machineIdentifier: share.machineIdentifier,
      name: state.server.name,
      libraries: state.sharedLibraries(share).map(libraryJson),
      allLibraries: share.allLibraries,
    })),
    sharedSources: [],
  };
}

export function serverV2Json(state: SimState, withSections: boolean): Json {
  const { server } = state;
  return {
    id: server.serverId,
    name: server.name,
    machineIdentifier: server.machineIdentifier,
    ownerId: server.ownerId,
    version: server.version,
    createdAt: unixSeconds(server.createdAt),
    librarySections: withSections ? server.libraries.map(libraryJson) : [],
  };
}

export function pinJson(pin: Pin): Json {
  return {
    id: pin.id,
    code: pin.code,
    product: pin.product,
    trusted: false,
    qr: `https://plex.tv/api/v2/pins/qr/${pin.code}`,
    clientIdentifier: pin.clientIdentifier,
    location: { code: 'US', country: 'United States', time_zone: 'America/New_York' },
    expiresIn: Math.max(0, Math.round((pin.expiresAt.getTime() - pin.createdAt.getTime()) / 1000)),
    createdAt: plexIso(pin.createdAt),
    expiresAt: plexIso(pin.expiresAt),
    authToken: pin.authToken,
    newRegistration: pin.authToken === null ? null : false,
  };
}
