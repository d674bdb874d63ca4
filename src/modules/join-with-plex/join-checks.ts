import { isoNow, type Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import type { InviteCodesService, InviteCodeView } from '../invite-codes/invite-codes.service.js';
import type { InviteLimits } from '../invitations/invite-limits.js';
import { joinWayOffered, type JoinWay } from '../settings/join-settings.js';
import type { AppSettings, SettingsService } from '../settings/settings.service.js';
import type { JoinRulesRepository } from './join-rules.repository.js';

export const WAY_OFF_MESSAGES: Record<JoinWay, string> = {
  plex: 'Continue with Plex is not offered here: type the email address or username of your Plex account instead.',
  email: 'This server takes requests only through Continue with Plex: press Continue with Plex instead.',
};

export const RULES_FIELD_MESSAGE = 'Tick the box to accept the house rules: the owner asks everyone who joins.';

/**
 * What both ways to join check before anything is asked of Plex: the way is one the owner offers,
 * the house rules are accepted where the owner asks for it, and (for Continue with Plex, which
 * checks before the sign-in) the invite code, with the same wrong-code limit as the email form.
 */
export function createJoinChecks(deps: {
  rules: JoinRulesRepository;
  settings: Pick<SettingsService, 'get'>;
  codes: Pick<InviteCodesService, 'checkCode'>;
  limits: Pick<InviteLimits, 'checkWrongCodes' | 'recordWrongCode'>;
  clock: Clock;
}) {
  function checkWay(settings: AppSettings, way: JoinWay): void {
    if (!joinWayOffered(settings.joinWays, way)) throw new AppError('join.way_off', WAY_OFF_MESSAGES[way], { status: 400 });
  }

  function checkRules(settings: AppSettings, accepted: boolean): void {
    if (settings.rulesRequired && !accepted) {
      throw new AppError('join.rules_not_accepted', 'Accept the house rules to join.', { status: 400, fields: { rulesAccepted: RULES_FIELD_MESSAGE } });
    }
  }

  return {
    /** The email form: the way and the rules (the invitations service checks the code itself). */
    async beforeEmailJoin(rulesAccepted: boolean): Promise<{ recordRules: boolean }> {
      const settings = await deps.settings.get();
      checkWay(settings, 'email');
      checkRules(settings, rulesAccepted);
      return { recordRules: settings.rulesRequired };
    },

    /** Continue with Plex: the way, the code (required in join mode `code`), then the rules. */
    async beforePlexJoin(input: { code: unknown; rulesAccepted: boolean; clientIp: string }): Promise<{ code: InviteCodeView | undefined; rulesAccepted: boolean }> {
      const settings = await deps.settings.get();
      checkWay(settings, 'plex');
      const code = await this.checkCode(input.code, settings.joinMode === 'code', input.clientIp);
      checkRules(settings, input.rulesAccepted);
      return { code, rulesAccepted: settings.rulesRequired && input.rulesAccepted };
    },

    /** As the email form checks a code: required or not, and every wrong one counted against the address. */
    async checkCode(input: unknown, required: boolean, clientIp: string): Promise<InviteCodeView | undefined> {
      const code = typeof input === 'string' ? input.trim() : '';
      if (code === '') {
        if (!required) return undefined;
        throw new AppError('invite.code_required', 'An invite code is needed. Ask the server owner for one.', { fields: { code: 'Type your invite code.' } });
      }
      await deps.limits.checkWrongCodes(clientIp);
      try {
        return await deps.codes.checkCode(code);
      } catch (error) {
        await deps.limits.recordWrongCode(clientIp);
        throw error;
      }
    },

    /** The email form's acceptance, added to the request the invitations service saved. */
    recordRulesAccepted(invitationId: string): Promise<void> {
      return deps.rules.recordAccepted(invitationId, isoNow(deps.clock));
    },
  };
}

export type JoinChecks = ReturnType<typeof createJoinChecks>;
