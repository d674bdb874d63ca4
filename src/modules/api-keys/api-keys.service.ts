import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { sha256 } from '../../security/crypto.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { ApiKeyRow, ApiKeysRepository } from './api-keys.repository.js';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const toView = (row: ApiKeyRow): ApiKeyView => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

// Recording every use would write on every API call; once a minute is enough to show activity.
const TOUCH_INTERVAL_MS = 60_000;

// Keys made without a person behind them (tests, scripts) are still audited.
const SYSTEM: AuditActor = { name: null, type: 'system', ip: null };

/**
 * API keys: shown once at creation, stored only as a SHA-256 hash (the key has 256 random bits,
 * so a fast hash is enough), looked up by that hash, revocable. Creating and revoking is audited.
 */
export function createApiKeysService(deps: { keys: ApiKeysRepository; clock: Clock; audit: AuditService }) {
  return {
    async create(input: { name: string; createdBy: string | null }, actor: AuditActor = SYSTEM): Promise<{ key: string; view: ApiKeyView }> {
      const name = input.name.trim();
      if (name.length < 1 || name.length > 100) {
        throw new AppError('apikey.invalid_name', 'Give the key a name of 1 to 100 characters.', { fields: { name: 'Give the key a name of 1 to 100 characters.' } });
      }
      const key = `hk_${crypto.randomBytes(32).toString('base64url')}`;
      const row: ApiKeyRow = {
        id: crypto.randomUUID(),
        name,
        prefix: key.slice(0, 10),
        key_hash: sha256(key),
        created_by: input.createdBy,
        created_at: isoNow(deps.clock),
        last_used_at: null,
        revoked_at: null,
      };
      await deps.keys.insert(row);
      await deps.audit.record(actor, 'apikey.create', name, { prefix: row.prefix });
      return { key, view: toView(row) };
    },

    /** The active key for a presented secret, or undefined. */
    async verify(presented: string): Promise<ApiKeyView | undefined> {
      if (!/^hk_[A-Za-z0-9_-]{20,80}$/.test(presented)) return undefined;
      const row = await deps.keys.findActiveByHash(sha256(presented));
      if (!row) return undefined;
      const now = deps.clock.now();
      if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > TOUCH_INTERVAL_MS) {
        await deps.keys.touch(row.id, now.toISOString());
      }
      return toView(row);
    },

    list: async (): Promise<ApiKeyView[]> => (await deps.keys.list()).map(toView),

    /** Revokes a key at once; revoking it again changes nothing (and is not audited twice). */
    async revoke(id: string, actor: AuditActor = SYSTEM): Promise<ApiKeyView> {
      const row = (await deps.keys.list()).find((k) => k.id === id);
      if (!row) throw new AppError('apikey.not_found', 'There is no such API key.', { status: 404 });
      const at = isoNow(deps.clock);
      if (!(await deps.keys.revoke(id, at))) return toView(row);
      await deps.audit.record(actor, 'apikey.revoke', row.name, { prefix: row.prefix });
      return toView({ ...row, revoked_at: at });
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
