import { rateLimitedError } from '../../plugins/rate-limit.js';
import type { CounterStore } from '../../rate-limit/counter-store.js';
import type { SettingsService } from '../settings/settings.service.js';

/**
 * Per-address limits on invite requests, counted in the shared CounterStore (memory, or Redis so
 * the limit holds across instances). The numbers come from settings (or INVITE_RATE_LIMIT).
 * Wrong invite codes are counted apart, and only failures count: guessing codes is slowed down
 * long before the request limit would notice.
 */
export function createInviteLimits(deps: { counters: CounterStore; settings: SettingsService }) {
  return {
    async countRequest(clientIp: string): Promise<void> {
      const { limits } = await deps.settings.get();
      const hit = await deps.counters.hit(`invite:${clientIp}`, limits.inviteWindowMinutes * 60_000);
      if (hit.count > limits.invitesPerWindow) throw rateLimitedError(Math.ceil(hit.resetInMs / 1000));
    },
    async checkWrongCodes(clientIp: string): Promise<void> {
      const { limits } = await deps.settings.get();
      const current = await deps.counters.peek(`wrong-code:${clientIp}`);
      if (current.count >= limits.wrongCodesPerWindow) throw rateLimitedError(Math.ceil(current.resetInMs / 1000));
    },
    async recordWrongCode(clientIp: string): Promise<void> {
      const { limits } = await deps.settings.get();
      await deps.counters.hit(`wrong-code:${clientIp}`, limits.wrongCodeWindowMinutes * 60_000);
    },
  };
}

export type InviteLimits = ReturnType<typeof createInviteLimits>;
