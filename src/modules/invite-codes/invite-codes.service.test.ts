import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock, isoNow } from '../../clock.js';
import type * as CryptoModule from '../../security/crypto.js';
import { safeEqual } from '../../security/crypto.js';
import type * as ModelsModule from './invite-codes.models.js';
import { CODE_ALPHABET, generateCode } from './invite-codes.models.js';
import { createInviteCodesRepository, type InviteCodesRepository } from './invite-codes.repository.js';
import { createInviteCodesService, joinPath, normalizeCode } from './invite-codes.service.js';

vi.mock('../../security/crypto.js', async (importOriginal) => {
  const actual = await importOriginal<typeof CryptoModule>();
  return { ...actual, safeEqual: vi.fn(actual.safeEqual) };
});
vi.mock('./invite-codes.models.js', async (importOriginal) => {
  const actual = await importOriginal<typeof ModelsModule>();
  return { ...actual, generateCode: vi.fn(actual.generateCode) };
});

const START = '2026-01-01T00:00:00.000Z';
const HOUR = 3_600_000;

describe('invite code helpers', () => {
  it('generates 8 characters from the unambiguous alphabet only', () => {
    expect(CODE_ALPHABET).not.toMatch(/[0O1IL]/);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = generateCode();
      expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
      for (const char of code) seen.add(char);
    }
    // 4000 draws from 31 characters: every one shows up unless the generator is biased.
    expect(seen.size).toBe(CODE_ALPHABET.length);
  });

  it('normalizes case and whitespace but keeps dashes and underscores', () => {
    expect(normalizeCode('  movie-night\n')).toBe('MOVIE-NIGHT');
    expect(normalizeCode('abcd efgh')).toBe('ABCDEFGH');
    expect(normalizeCode('a_b-c')).toBe('A_B-C');
  });

  it('builds a join path with the code escaped', () => {
    expect(joinPath('ABCD2345')).toBe('/join/ABCD2345');
    expect(joinPath('a b/c')).toBe('/join/a%20b%2Fc');
  });
});

describeDialects('invite codes service on %s', (dialect) => {
  let database: TestDatabase;
  let codes: InviteCodesRepository;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    codes = createInviteCodesRepository(database.db);
  });
  afterAll(() => database.close());

  /** Each test gets its own clock so moving time in one cannot affect another. */
  function setup() {
    const clock = fixedClock(START);
    return { clock, service: createInviteCodesService({ codes, clock }) };
  }

  it('creates a random code with default settings', async () => {
    const { service } = setup();
    const view = await service.createCode({});
    expect(view.code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    expect(view).toMatchObject({ uses: 0, maxUses: null, remaining: null, libraries: null, state: 'active', revoked: false });
    expect(view.createdAt).toBe(START);
    const stored = await codes.findById(view.id);
    expect(stored).toMatchObject({ code: view.code, code_normalized: view.code, uses: 0, revoked: 0, libraries: null });
  });

  it('stores a custom code as typed and matches it in any case', async () => {
    const { service } = setup();
    const view = await service.createCode({
      code: ' Movie-Night ',
      label: ' Film club ',
      maxUses: 5,
      libraries: ['Movies', ' TV ', 'Movies', ''],
      createdBy: 'admin-1',
    });
    expect(view).toMatchObject({ code: 'Movie-Night', label: 'Film club', maxUses: 5, remaining: 5, libraries: ['Movies', 'TV'] });
    expect((await codes.findById(view.id))?.libraries).toBe('["Movies","TV"]');
    expect((await service.checkCode('  movie-NIGHT ')).id).toBe(view.id);
  });

  it('refuses a duplicate custom code whatever its case', async () => {
    const { service } = setup();
    await service.createCode({ code: 'Summer_2026' });
    const attempt = service.createCode({ code: 'SUMMER_2026' });
    await expect(attempt).rejects.toMatchObject({ code: 'code.duplicate', status: 409, fields: { code: expect.any(String) } });
  });

  it.each(['abc', 'has space', 'x'.repeat(33), 'émoji', 'semi;colon'])('refuses the custom code %j', async (code) => {
    const { service } = setup();
    await expect(service.createCode({ code })).rejects.toMatchObject({
      code: 'code.invalid',
      status: 400,
      fields: { code: 'Use 4 to 32 letters, digits, dashes or underscores.' },
    });
  });

  it('validates max uses, expiry and libraries', async () => {
    const { service } = setup();
    for (const maxUses of [0, -1, 1.5, Number.NaN, 2_000_000]) {
      await expect(service.createCode({ maxUses })).rejects.toMatchObject({ code: 'code.invalid_max_uses', fields: { maxUses: expect.any(String) } });
    }
    for (const expiresAt of [START, '2025-12-31T23:00:00Z', new Date('2020-01-01')]) {
      await expect(service.createCode({ expiresAt })).rejects.toMatchObject({ code: 'code.invalid_expiry', fields: { expiresAt: 'The expiry must be in the future.' } });
    }
    await expect(service.createCode({ expiresAt: 'next tuesday' })).rejects.toMatchObject({ code: 'code.invalid_expiry', status: 400 });
    await expect(service.createCode({ libraries: ['x'.repeat(201)] })).rejects.toMatchObject({ code: 'code.invalid_libraries' });
    const view = await service.createCode({ expiresAt: new Date(Date.parse(START) + HOUR), libraries: [] });
    expect(view).toMatchObject({ expiresAt: '2026-01-01T01:00:00.000Z', libraries: null });
  });

  it('says a code is unknown with a friendly field message', async () => {
    const { service } = setup();
    const message = 'This invite code does not exist. Check it for typos, or ask for a new one.';
    for (const input of ['NOPE2345', '', '   ', 'x'.repeat(500)]) {
      await expect(service.checkCode(input)).rejects.toMatchObject({ code: 'invite.code_unknown', status: 404, expose: true, message, fields: { code: message } });
    }
  });

  it('compares the code in constant time against the stored normalized value', async () => {
    const { service } = setup();
    const view = await service.createCode({ code: 'Const-Time' });
    vi.mocked(safeEqual).mockClear();
    await service.checkCode('const-time');
    expect(safeEqual).toHaveBeenCalledWith('CONST-TIME', 'CONST-TIME');
    vi.mocked(safeEqual).mockClear();
    await expect(service.checkCode('missing-one')).rejects.toMatchObject({ code: 'invite.code_unknown' });
    expect(safeEqual).toHaveBeenCalledTimes(1);
    // A miss compares against nothing, never against some other value that a typed code could equal.
    expect(safeEqual).toHaveBeenCalledWith('', 'MISSING-ONE');
    expect(view.code).toBe('Const-Time');
  });

  it('says when a code expired, using the injected clock', async () => {
    const { service, clock } = setup();
    const view = await service.createCode({ expiresAt: '2026-01-01T01:30:00Z' });
    expect((await service.checkCode(view.code)).state).toBe('active');
    clock.advance(HOUR + 30 * 60_000);
    const message = 'This invite code expired on 2026-01-01 at 01:30 UTC. Ask for a new one.';
    await expect(service.checkCode(view.code)).rejects.toMatchObject({ code: 'invite.code_expired', status: 410, message, fields: { code: message } });
    expect((await service.getCode(view.id)).state).toBe('expired');
  });

  it('says when a code is used up', async () => {
    const { service } = setup();
    const once = await service.createCode({ maxUses: 1 });
    const twice = await service.createCode({ maxUses: 2 });
    await codes.claimUse(once.id, START);
    await codes.claimUse(twice.id, START);
    expect(await service.checkCode(twice.code)).toMatchObject({ uses: 1, remaining: 1, state: 'active' });
    await codes.claimUse(twice.id, START);
    await expect(service.checkCode(once.code)).rejects.toMatchObject({
      code: 'invite.code_used_up',
      status: 410,
      message: 'This invite code has already been used. Ask for a new one.',
    });
    await expect(service.checkCode(twice.code)).rejects.toMatchObject({
      code: 'invite.code_used_up',
      message: 'This invite code has been used the maximum number of times (2). Ask for a new one.',
      fields: { code: expect.any(String) },
    });
  });

  it('revokes a code, idempotently, and then refuses it', async () => {
    const { service, clock } = setup();
    const view = await service.createCode({});
    clock.advance(HOUR);
    const revoked = await service.revokeCode(view.id);
    expect(revoked).toMatchObject({ revoked: true, state: 'revoked', revokedAt: '2026-01-01T01:00:00.000Z' });
    clock.advance(HOUR);
    expect((await service.revokeCode(view.id)).revokedAt).toBe('2026-01-01T01:00:00.000Z');
    await expect(service.checkCode(view.code)).rejects.toMatchObject({
      code: 'invite.code_revoked',
      status: 410,
      message: 'This invite code has been withdrawn. Ask for a new one.',
    });
    await expect(service.revokeCode('no-such-id')).rejects.toMatchObject({ code: 'code.not_found', status: 404 });
  });

  it('tells the admin a custom code is taken when another request stored it between the check and the insert', async () => {
    const { clock } = setup();
    let raced = false;
    const racing: InviteCodesRepository = {
      ...codes,
      async insert(row) {
        if (!raced) {
          raced = true;
          await codes.insert({ ...row, id: crypto.randomUUID(), code: row.code.toLowerCase() });
        }
        return codes.insert(row);
      },
    };
    const service = createInviteCodesService({ codes: racing, clock });
    await expect(service.createCode({ code: 'Race-Day' })).rejects.toMatchObject({ code: 'code.duplicate', status: 409 });
    expect((await codes.findByNormalized('RACE-DAY'))?.code).toBe('race-day');
  });

  it('lets an insert that fails for another reason than a taken code fail as it is', async () => {
    const { clock } = setup();
    const broken = new Error('disk I/O error');
    const service = createInviteCodesService({ codes: { ...codes, insert: () => Promise.reject(broken) }, clock });
    await expect(service.createCode({ code: 'Disk-Full' })).rejects.toBe(broken);
    await expect(service.createCode({})).rejects.toBe(broken);
  });

  it('draws up to five random codes when the ones drawn are taken, then says to try again', async () => {
    const { service } = setup();
    const taken = await service.createCode({});
    const drawTaken = (times: number) => {
      for (let i = 0; i < times; i++) vi.mocked(generateCode).mockReturnValueOnce(taken.code);
    };
    drawTaken(4);
    const fifth = await service.createCode({ label: 'fifth draw' });
    expect(fifth.code).not.toBe(taken.code);
    expect(await codes.findById(fifth.id)).toMatchObject({ label: 'fifth draw' });
    drawTaken(5);
    await expect(service.createCode({ label: 'never stored' })).rejects.toMatchObject({
      code: 'code.generation_failed',
      status: 500,
      message: 'Could not generate a unique invite code; try again.',
    });
  });

  it('looks up codes up to 64 characters long and calls anything longer unknown', async () => {
    const { service } = setup();
    // Longer than the codes Helpr makes: stored by hand, as an older version or the database could.
    const stored = (code: string) =>
      codes.insert({ id: crypto.randomUUID(), code, code_normalized: code, label: null, expires_at: null, max_uses: null, libraries: null, created_by: null, created_at: START });
    const sixtyFour = `LONG-${'A'.repeat(59)}`;
    const sixtyFive = `LONG-${'B'.repeat(60)}`;
    await stored(sixtyFour);
    await stored(sixtyFive);
    expect((await service.checkCode(sixtyFour.toLowerCase())).code).toBe(sixtyFour);
    await expect(service.checkCode(sixtyFive)).rejects.toMatchObject({ code: 'invite.code_unknown', status: 404 });
  });

  it('refuses a code the database returned when the exact comparison disagrees', async () => {
    const { service } = setup();
    const view = await service.createCode({ code: 'Collated' });
    // As a case- or accent-insensitive collation could: the row is found but is not this code.
    vi.mocked(safeEqual).mockReturnValueOnce(false);
    await expect(service.checkCode(view.code)).rejects.toMatchObject({ code: 'invite.code_unknown', status: 404 });
    expect((await service.checkCode(view.code)).id).toBe(view.id);
  });

  it('lists codes newest first with uses, remaining and state', async () => {
    const { service, clock } = setup();
    clock.set('2030-01-01T00:00:00Z');
    const expiring = await service.createCode({ label: 'expiring', expiresAt: '2030-01-01T12:00:00Z' });
    clock.advance(HOUR);
    const usedUp = await service.createCode({ label: 'used up', maxUses: 1 });
    await codes.claimUse(usedUp.id, isoNow(clock));
    clock.advance(HOUR);
    const revoked = await service.createCode({ label: 'revoked' });
    await service.revokeCode(revoked.id);
    clock.advance(HOUR);
    const active = await service.createCode({ label: 'active', maxUses: 3 });
    clock.set('2030-01-02T00:00:00Z');

    const listed = await service.listCodes({ limit: 4 });
    expect(listed.map((code) => [code.label, code.state, code.uses, code.remaining])).toEqual([
      ['active', 'active', 0, 3],
      ['revoked', 'revoked', 0, null],
      ['used up', 'used_up', 1, 0],
      ['expiring', 'expired', 0, null],
    ]);
    expect(listed.map((code) => code.id)).toEqual([active.id, revoked.id, usedUp.id, expiring.id]);
    expect(await service.listCodes({ limit: 1 })).toHaveLength(1);
    expect(await service.listCodes({ limit: 1, offset: 1 })).toEqual([expect.objectContaining({ id: revoked.id })]);
    expect(await service.countCodes()).toBeGreaterThanOrEqual(4);
  });
});
