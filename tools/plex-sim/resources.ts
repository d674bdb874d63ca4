import type { Account } from './accounts.js';
import { plexIso } from './clock.js';
import type { SimContext } from './context.js';
import type { XmlNode } from './xml.js';

export interface ConnectionJson {
  protocol: 'http';
  address: string;
  port: number;
  uri: string;
  local: boolean;
  relay: boolean;
  IPv6: boolean;
}

const connection = (host: string, port: number, local: boolean, relay: boolean): ConnectionJson => ({
  protocol: 'http',
  address: host,
  port,
  uri: `http://${host}:${port}`,
  local,
  relay,
  IPv6: false,
});

/**
 * Local first and relay last, as plex.tv orders them. Every reachable uri points at the simulated
 * PMS so a connection probe really connects; the optional dead one comes first to exercise fallback.
 */
export function serverConnections(ctx: SimContext, includeRelay: boolean): ConnectionJson[] {
  const { host, port, unreachablePort } = ctx.pms;
  const list: ConnectionJson[] = [];
  if (unreachablePort !== null) list.push(connection(host, unreachablePort, true, false));
  list.push(connection(host, port, true, false));
  if (includeRelay) list.push(connection(host, port, false, true));
  return list;
}

/** A player device on the owner's account, so clients must filter on `provides`. */
const PLAYER_DEVICE = {
  name: 'Chrome',
  product: 'Plex Web',
  productVersion: '4.145.1',
  clientIdentifier: 'plex-sim-web-player',
  provides: 'client,player',
  accessToken: null,
  presence: false,
  httpsRequired: false,
  publicAddress: '203.0.113.2',
  connections: [],
};

/** E2: the caller's devices: the owned server (owner), servers shared with them (friends), a player. */
export function resourcesJson(ctx: SimContext, caller: Account, includeRelay: boolean): Record<string, unknown>[] {
  const { state } = ctx;
  const { server } = state;
  const seen = plexIso(state.clock.now());
  const base = {
    name: server.name,
    product: 'Plex Media Server',
    productVersion: server.version,
    platform: 'Linux',
    clientIdentifier: server.machineIdentifier,
    provides: 'server',
    presence: true,
    httpsRequired: false,
    publicAddress: '203.0.113.2',
    createdAt: plexIso(server.createdAt),
    lastSeenAt: seen,
    connections: serverConnections(ctx, includeRelay),
  };
  if (caller.id === server.ownerId) {
    const owned = { ...base, owned: true, ownerId: null, sourceTitle: null, accessToken: server.accessToken };
    const player = { ...PLAYER_DEVICE, owned: true, ownerId: null, sourceTitle: null, createdAt: base.createdAt };
    return [owned, { ...player, lastSeenAt: seen }];
  }
  const owner = state.accounts.findById(server.ownerId);
  return state.shares
    .all()
    .filter((share) => share.accepted && share.invitedId === caller.id)
    .map((share) => ({
      ...base,
      owned: false,
      ownerId: server.ownerId,
      sourceTitle: owner?.username ?? null,
      accessToken: share.accessToken,
    }));
}

/** Legacy `/api/resources` (Overseerr): the same devices as `<Device><Connection/></Device>`. */
export function resourcesXml(ctx: SimContext, caller: Account): XmlNode {
  const devices = resourcesJson(ctx, caller, true).map((device): XmlNode => {
    type Device = { connections: ConnectionJson[] } & Record<string, string | number | boolean | null>;
    const { connections, ...attrs } = device as Device;
    return {
      name: 'Device',
      attrs,
      children: connections.map((conn) => ({ name: 'Connection', attrs: { ...conn, IPv6: undefined } })),
    };
  });
  return { name: 'MediaContainer', attrs: { size: devices.length }, children: devices };
}
