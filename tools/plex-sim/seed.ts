/** Deterministic starting data. Every value can be overridden through `PlexSimulatorOptions.seed`. */
export interface SeedAccount {
  id: number;
  uuid: string;
  username: string;
  email: string;
  token: string;
  title?: string;
  plexPass?: boolean;
  /**
   * Whether the account's email address is confirmed (plex.tv's `confirmed`); true when left out.
   * A brand-new account that never clicked Plex's email is not.
   */
  confirmed?: boolean;
}

export type LibraryType = 'movie' | 'show' | 'artist' | 'photo';

export interface SeedLibrary {
  /** plex.tv-global section id: what share requests must carry. */
  id: number;
  /** PMS-local section key (`Directory@key`). */
  key: number;
  title: string;
  type: LibraryType;
}

export interface SeedServer {
  machineIdentifier: string;
  name: string;
  /** The token plex.tv hands out for the PMS (`resources[].accessToken`). */
  accessToken: string;
  /** plex.tv's internal server id (`User/Server@serverId`). */
  serverId: number;
  version: string;
  libraries: SeedLibrary[];
}

/** A share that exists before the first request (for "already sharing" and update tests). */
export interface SeedShare {
  /** Username or email of the invitee; an email without an account makes an email-only invite. */
  invitee: string;
  libraryIds: number[];
  accepted: boolean;
}

export interface SimSeed {
  owner: SeedAccount;
  friends: SeedAccount[];
  server: SeedServer;
  shares: SeedShare[];
}

export interface SeedOverrides {
  owner?: Partial<SeedAccount>;
  friends?: SeedAccount[];
  server?: Partial<SeedServer>;
  shares?: SeedShare[];
}

export const DEFAULT_SEED: SimSeed = {
  owner: {
    id: 12345,
    uuid: '1234567890abcdef',
    username: 'owner',
    email: 'owner@example.com',
    token: 'owner-token',
    title: 'Owner',
    plexPass: true,
  },
  friends: [
    { id: 22526914, uuid: 'f1e2d3c4b5a69788', username: 'friend', email: 'friend@example.com', token: 'friend-token' },
    { id: 22526915, uuid: 'a1b2c3d4e5f60718', username: 'alice', email: 'alice@example.com', token: 'alice-token' },
    { id: 22526916, uuid: 'b0b0b0b0b0b0b0b0', username: 'bob', email: 'bob@example.com', token: 'bob-token' },
  ],
  server: {
    machineIdentifier: '96f2fe7a78c9dc1f16a16bedbe90f98149be16b4',
    name: 'Home PMS',
    accessToken: 'pms-access-token',
    serverId: 9999999,
    version: '1.41.0.8992-8463ad060',
    libraries: [
      { id: 35723967, key: 1, title: 'Movies', type: 'movie' },
      { id: 35723968, key: 2, title: 'TV Shows', type: 'show' },
      { id: 35723970, key: 3, title: 'Music', type: 'artist' },
    ],
  },
  shares: [],
};

export function resolveSeed(overrides: SeedOverrides = {}): SimSeed {
  return {
    owner: { ...DEFAULT_SEED.owner, ...overrides.owner },
    friends: (overrides.friends ?? DEFAULT_SEED.friends).map((friend) => ({ ...friend })),
    server: {
      ...DEFAULT_SEED.server,
      ...overrides.server,
      libraries: (overrides.server?.libraries ?? DEFAULT_SEED.server.libraries).map((lib) => ({ ...lib })),
    },
    shares: (overrides.shares ?? DEFAULT_SEED.shares).map((share) => ({ ...share })),
  };
}
