import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { linkBase, type LinkBase } from '../invite-codes/invite-codes.links.js';
import type { SettingsService } from '../settings/settings.service.js';
import { parsePublicAddress } from './public-address.js';

type LinkConfig = Pick<Config, 'baseUrl' | 'trustProxy' | 'port'>;

/** What the settings page and the setup's last step show about the public address. */
export interface PublicAddressView {
  /** BASE_URL decides (the field is shown, not editable). */
  fromEnvironment: boolean;
  /** What the field holds: BASE_URL or the saved address; empty when neither (links then use `link.url`). */
  value: string;
  /** Where invite links point right now, and the warnings for it. */
  link: LinkBase;
}

export async function publicAddressView(request: FastifyRequest, config: LinkConfig, settings: Pick<SettingsService, 'get'>): Promise<PublicAddressView> {
  const stored = (await settings.get()).publicAddress;
  const link = linkBase(request, config, stored);
  return { fromEnvironment: config.baseUrl !== undefined, value: config.baseUrl ?? stored ?? '', link };
}

/** Saves the public address (settings or setup); the environment's BASE_URL, when set, decides instead. */
export function createPublicAddressSaver(deps: { config: LinkConfig; settings: SettingsService; audit: AuditService }) {
  return async function savePublicAddress(raw: unknown, actor: AuditActor): Promise<{ changed: boolean; address: string | null }> {
    if (deps.config.baseUrl !== undefined) {
      throw new AppError('settings.address_from_environment', 'BASE_URL in the environment sets the public address: change it there and restart Helpr.', { status: 409 });
    }
    const address = parsePublicAddress(raw);
    const before = (await deps.settings.get()).publicAddress;
    if (before === address) return { changed: false, address };
    await deps.settings.update({ publicAddress: address });
    // The address is no secret: the log says what it became.
    await deps.audit.record(actor, 'settings.update', 'address', { fields: ['publicAddress'], to: address });
    return { changed: true, address };
  };
}
