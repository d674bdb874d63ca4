import type { Account } from './accounts.js';
import type { Pin } from './pins.js';
import type { Share, ShareSettings } from './shares.js';
import type { Library, SimBehaviour, SimState } from './sim-state.js';

/** A JSON-safe snapshot of the simulator's data for assertions (dates as ISO strings). */
export interface ShareView {
  v1Id: number;
  v2Id: number;
  machineIdentifier: string;
  invitedId: number | null;
  invitedEmail: string | null;
  invitedUsername: string | null;
  accepted: boolean;
  libraryIds: number[];
  allLibraries: boolean;
  settings: ShareSettings;
  invitedAt: string;
  acceptedAt: string | null;
}

export interface PinView {
  id: number;
  code: string;
  clientIdentifier: string;
  expiresAt: string;
  live: boolean;
  approvedFor: number | null;
}

export interface SimStateView {
  owner: Account;
  accounts: Account[];
  server: { machineIdentifier: string; name: string; accessToken: string; libraries: Library[] };
  shares: ShareView[];
  pending: ShareView[];
  accepted: ShareView[];
  friendIds: number[];
  pins: PinView[];
  behaviour: SimBehaviour;
}

function shareView(state: SimState, share: Share): ShareView {
  const invited = share.invitedId === null ? undefined : state.accounts.findById(share.invitedId);
  return {
    v1Id: share.v1Id,
    v2Id: share.v2Id,
    machineIdentifier: share.machineIdentifier,
    invitedId: share.invitedId,
    invitedEmail: share.invitedEmail,
    invitedUsername: invited?.username ?? null,
    accepted: share.accepted,
    libraryIds: [...share.libraryIds],
    allLibraries: share.allLibraries,
    settings: { ...share.settings },
    invitedAt: share.invitedAt.toISOString(),
    acceptedAt: share.acceptedAt?.toISOString() ?? null,
  };
}

const pinView = (state: SimState, pin: Pin): PinView => ({
  id: pin.id,
  code: pin.code,
  clientIdentifier: pin.clientIdentifier,
  expiresAt: pin.expiresAt.toISOString(),
  live: state.pins.isLive(pin),
  approvedFor: pin.accountId,
});

export function viewState(state: SimState): SimStateView {
  const shares = state.shares.all().map((share) => shareView(state, share));
  const { server } = state;
  return structuredClone({
    owner: state.owner,
    accounts: state.accounts.all(),
    server: {
      machineIdentifier: server.machineIdentifier,
      name: server.name,
      accessToken: server.accessToken,
      libraries: server.libraries,
    },
    shares,
    pending: shares.filter((share) => !share.accepted),
    accepted: shares.filter((share) => share.accepted),
    friendIds: state.shares.friendIdsOf(state.owner.id),
    pins: state.pins.all().map((pin) => pinView(state, pin)),
    behaviour: state.behaviour,
  });
}
