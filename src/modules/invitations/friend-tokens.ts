import type { SecretBox } from '../../security/crypto.js';
import type { FriendTokensRepository } from './friend-tokens.repository.js';

/**
 * A friend's Plex token, used only by their join job: sealed with the secret key (as the owner's
 * token is) before it is stored, opened only to call plex.tv as the friend. Never logged: nothing
 * here passes it to a logger, and errors about it never carry it.
 */
export function createFriendTokens(deps: { repository: FriendTokensRepository; box: SecretBox }) {
  return {
    seal: (token: string): string => deps.box.encrypt(token),

    /**
     * The token of a join request, or undefined when there is none (the job ended) or it cannot be
     * opened (the secret key changed): the job then goes on without it, as with a refused token.
     */
    async read(invitationId: string): Promise<string | undefined> {
      const sealed = await deps.repository.find(invitationId);
      if (sealed === undefined) return undefined;
      try {
        return deps.box.decrypt(sealed);
      } catch {
        return undefined;
      }
    },

    /** Deletes tokens whose request can no longer run a job (each worker pass); how many. */
    sweep: (): Promise<number> => deps.repository.sweep(),
  };
}

export type FriendTokens = ReturnType<typeof createFriendTokens>;
