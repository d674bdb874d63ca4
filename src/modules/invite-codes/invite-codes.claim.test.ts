import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import { isAppError } from '../../errors.js';
import { createInviteCodesRepository, type InviteCodesRepository } from './invite-codes.repository.js';
import { claimCodeUse, createInviteCodesService, recordCodeUse, type InviteCodesService } from './invite-codes.service.js';

const START = '2026-03-01T00:00:00.000Z';
const HOUR = 3_600_000;

/** The smallest valid invitation row, so invite_code_uses can reference it. */
async function insertInvitation(db: Db, codeId: string, nowIso: string): Promise<string> {
  const id = crypto.randomUUID();
  await db
    .insertInto('invitations')
    .values({
      id,
      identifier: `${id}@example.test`,
      identifier_normalized: `${id}@example.test`,
      identifier_kind: 'email',
      source: 'public',
      code_id: codeId,
      libraries: '[]',
      status: 'pending',
      created_at: nowIso,
      updated_at: nowIso,
    })
    .execute();
  return id;
}

describeDialects('redeeming invite codes on %s', (dialect) => {
  let database: TestDatabase;
  let codes: InviteCodesRepository;
  let service: InviteCodesService;
  const clock = fixedClock(START);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    codes = createInviteCodesRepository(database.db);
    service = createInviteCodesService({ codes, clock });
  });
  afterAll(() => database.close());

  /** What the invitations service does: claim, insert the invitation, record the use, in one transaction. */
  const redeem = (codeId: string, nowIso = START): Promise<string> =>
    database.db.transaction().execute(async (trx) => {
      const trxCodes = createInviteCodesRepository(trx);
      await claimCodeUse(trxCodes, codeId, nowIso);
      const invitationId = await insertInvitation(trx, codeId, nowIso);
      await recordCodeUse(trxCodes, { codeId, invitationId, nowIso });
      return invitationId;
    });

  async function redeemConcurrently(codeId: string, times: number) {
    const results = await Promise.allSettled(Array.from({ length: times }, () => redeem(codeId)));
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    return { fulfilled, rejected };
  }

  it.each([1, 3])('gives exactly %i of 50 concurrent redemptions', async (maxUses) => {
    const code = await service.createCode({ maxUses });
    const { fulfilled, rejected } = await redeemConcurrently(code.id, 50);
    expect(fulfilled).toHaveLength(maxUses);
    expect(rejected).toHaveLength(50 - maxUses);
    for (const error of rejected) {
      expect(isAppError(error) ? [error.code, error.status] : error).toEqual(['invite.code_used_up', 410]);
    }
    expect((await codes.findById(code.id))?.uses).toBe(maxUses);
    expect(await codes.countUses(code.id)).toBe(maxUses);
    expect((await service.getCode(code.id)).state).toBe('used_up');
  });

  it('lets an unlimited code be redeemed by everyone', async () => {
    const code = await service.createCode({});
    const { fulfilled } = await redeemConcurrently(code.id, 20);
    expect(fulfilled).toHaveLength(20);
    expect(await codes.countUses(code.id)).toBe(20);
    expect(await service.getCode(code.id)).toMatchObject({ uses: 20, remaining: null, state: 'active' });
  });

  it('rolls the claimed use back when a later step of the transaction fails', async () => {
    const code = await service.createCode({ maxUses: 1 });
    const failing = database.db.transaction().execute(async (trx) => {
      const trxCodes = createInviteCodesRepository(trx);
      await claimCodeUse(trxCodes, code.id, START);
      // No such invitation: the foreign key refuses the use row.
      await recordCodeUse(trxCodes, { codeId: code.id, invitationId: 'missing', nowIso: START });
    });
    await expect(failing).rejects.toThrow();
    expect((await codes.findById(code.id))?.uses).toBe(0);
    await redeem(code.id);
    expect(await codes.countUses(code.id)).toBe(1);
  });

  it('refuses an expired code at claim time, by the time given', async () => {
    const code = await service.createCode({ expiresAt: new Date(Date.parse(START) + HOUR) });
    const later = new Date(Date.parse(START) + 2 * HOUR).toISOString();
    await expect(redeem(code.id, later)).rejects.toMatchObject({ code: 'invite.code_expired', status: 410 });
    await redeem(code.id);
    expect(await codes.countUses(code.id)).toBe(1);
  });

  it('refuses a revoked or missing code at claim time', async () => {
    const code = await service.createCode({});
    await service.revokeCode(code.id);
    await expect(redeem(code.id)).rejects.toMatchObject({ code: 'invite.code_revoked', status: 410 });
    await expect(redeem('no-such-code')).rejects.toMatchObject({ code: 'invite.code_unknown', status: 404 });
    expect((await codes.findById(code.id))?.uses).toBe(0);
  });

  it('releases a use but never below zero', async () => {
    const code = await service.createCode({ maxUses: 1 });
    expect(await codes.claimUse(code.id, START)).toBe(true);
    expect(await codes.claimUse(code.id, START)).toBe(false);
    expect(await codes.releaseUse(code.id)).toBe(true);
    expect(await codes.releaseUse(code.id)).toBe(false);
    expect((await codes.findById(code.id))?.uses).toBe(0);
  });
});
