import type { Account } from './accounts.js';
import { unixSeconds } from './clock.js';
import type { Share } from './shares.js';
import type { SimState } from './sim-state.js';
import type { XmlNode } from './xml.js';

/** The v1 XML documents (plex-api.md E3, E5a, E6a, E6b). */
const myPlexContainer = (state: SimState, children: XmlNode[], extra: Record<string, number> = {}): XmlNode => ({
  name: 'MediaContainer',
  attrs: {
    friendlyName: 'myPlex',
    identifier: 'com.plexapp.plugins.myplex',
    machineIdentifier: state.server.machineIdentifier,
    ...extra,
    size: children.length,
  },
  children,
});

/** E3: the owner's server with each section's global `id` next to its PMS `key`. */
export function serverSectionsXml(state: SimState): XmlNode {
  const { server } = state;
  const sections = server.libraries.map((lib): XmlNode => ({
    name: 'Section',
    attrs: { id: lib.id, key: lib.key, type: lib.type, title: lib.title },
  }));
  const serverNode: XmlNode = {
    name: 'Server',
    attrs: {
      name: server.name,
      address: '203.0.113.2',
      port: 32400,
      version: server.version,
      scheme: 'http',
      host: '203.0.113.2',
      localAddresses: '127.0.0.1',
      machineIdentifier: server.machineIdentifier,
      createdAt: unixSeconds(server.createdAt),
      updatedAt: unixSeconds(state.clock.now()),
      owned: true,
      synced: false,
    },
    children: sections,
  };
  return myPlexContainer(state, [serverNode]);
}

/** E5a answer and E6b entry: every server section, flagged `shared` when the share grants it. */
export function sharedServerXml(state: SimState, share: Share): XmlNode {
  const invited = share.invitedId === null ? undefined : state.accounts.findById(share.invitedId);
  const granted = new Set(state.sharedLibraries(share).map((lib) => lib.id));
  const { settings } = share;
  return {
    name: 'SharedServer',
    attrs: {
      id: share.v1Id,
      username: invited?.username ?? '',
      email: invited?.email ?? share.invitedEmail ?? '',
      userID: share.invitedId ?? '',
      accessToken: share.accepted ? share.accessToken : '',
      name: state.server.name,
      acceptedAt: share.acceptedAt ? unixSeconds(share.acceptedAt) : 0,
      invitedAt: unixSeconds(share.invitedAt),
      allowSync: settings.allowSync,
      allowCameraUpload: settings.allowCameraUpload,
      allowChannels: settings.allowChannels,
      allowTuners: settings.allowTuners,
      allowSubtitleAdmin: settings.allowSubtitleAdmin,
      owned: false,
      allLibraries: share.allLibraries,
      filterAll: settings.filterAll ?? '',
      filterMovies: settings.filterMovies,
      filterMusic: settings.filterMusic,
      filterPhotos: settings.filterPhotos ?? '',
      filterTelevision: settings.filterTelevision,
    },
    children: state.server.libraries.map((lib) => ({
      name: 'Section',
      attrs: { id: lib.id, key: lib.key, title: lib.title, type: lib.type, shared: granted.has(lib.id) },
    })),
  };
}

export function sharedServersXml(state: SimState, shares: Share[]): XmlNode {
  return myPlexContainer(state, shares.map((share) => sharedServerXml(state, share)));
}

function userXml(state: SimState, account: Account, shares: Share[]): XmlNode {
  const settings = shares[0]?.settings;
  return {
    name: 'User',
    attrs: {
      id: account.id,
      title: account.title,
      username: account.username,
      email: account.email,
      thumb: `https://plex.tv/users/${account.uuid}/avatar?c=1`,
      protected: false,
      home: false,
      restricted: false,
      allowTuners: settings?.allowTuners ?? 0,
      allowSync: settings?.allowSync ?? false,
      allowCameraUpload: settings?.allowCameraUpload ?? false,
      allowChannels: settings?.allowChannels ?? false,
      allowSubtitleAdmin: settings?.allowSubtitleAdmin ?? false,
      filterAll: settings?.filterAll ?? '',
      filterMovies: settings?.filterMovies ?? '',
      filterMusic: settings?.filterMusic ?? '',
      filterPhotos: settings?.filterPhotos ?? '',
      filterTelevision: settings?.filterTelevision ?? '',
    },
    children: shares.map((share) => ({
      name: 'Server',
      attrs: {
        id: share.v1Id,
        serverId: state.server.serverId,
        machineIdentifier: share.machineIdentifier,
        name: state.server.name,
        lastSeenAt: unixSeconds(state.clock.now()),
        numLibraries: state.sharedLibraries(share).length,
        allLibraries: share.allLibraries,
        owned: true,
        pending: !share.accepted,
      },
    })),
  };
}

/**
 * E6a: friends plus accounts with a pending share. Email-only invites (no account) are left out;
 * whether plex.tv lists them is unverified (plex-api.md E6a).
 */
export function usersXml(state: SimState, owner: Account): XmlNode {
  const owned = state.shares.ownedBy(owner.id);
  const ids = new Set([...state.shares.friendIdsOf(owner.id), ...owned.flatMap((share) => share.invitedId ?? [])]);
  const users = [...ids]
    .map((id) => state.accounts.findById(id))
    .filter((account): account is Account => account !== undefined)
    .map((account) => userXml(state, account, owned.filter((share) => share.invitedId === account.id)));
  return myPlexContainer(state, users, { totalSize: users.length });
}
