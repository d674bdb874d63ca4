import { afterEach, describe, expect, it } from 'vitest';
import { pendingReason } from '../../src/modules/public/request-page.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { expectNoInternals, submitAndFollow, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

// Words a friend must never read on their request page.
const JARGON = /token|upstream|timeout|rate.?limit|\b[45]\d\d\b|did not answer in time|error_kind|invalid/i;
const NOTHING_TO_DO = 'will be sent automatically as soon as possible: there is nothing else for you to do.';

describe("a waiting request tells the friend what happened, in plain words", () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const cases: Array<{ name: string; setup: () => void; libraries?: string[]; kind: string; says: string }> = [
    {
      name: 'Plex answers 503 (busy or down)',
      setup: () => plex.sim.control.addFault({ kind: 'status', status: 503, pathRegex: '/shared_servers$' }),
      kind: 'upstream',
      says: 'Plex is busy or cannot be reached at the moment.',
    },
    {
      name: 'Plex asks to slow down',
      setup: () => plex.sim.control.addFault({ kind: 'rate-limit', retryAfterSeconds: 30, pathRegex: '/shared_servers$' }),
      kind: 'rate_limited',
      says: 'Plex is busy or cannot be reached at the moment.',
    },
    {
      name: 'no library is chosen for new friends',
      setup: () => undefined,
      libraries: [],
      kind: 'no_libraries',
      says: 'This server is not fully set up yet',
    },
    {
      name: "Plex signed the owner's token out",
      setup: () => plex.sim.control.expireToken(plex.sim.ownerToken),
      kind: 'invalid_token',
      says: 'The server owner needs to sign in to Plex again before invites can go out',
    },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.kind}`, async () => {
      t = await createReadyApp(plex.sim, { libraries: c.libraries });
      c.setup();
      const { id, page } = await submitAndFollow(t.app, { email: 'friend@example.com' });
      expect((await t.deps.repositories.invitations.findById(id))?.error_kind).toBe(c.kind);
      expect(page.body).toContain('data-status="pending"');
      const text = textOf(page.body);
      expect(text).toContain(c.says);
      expect(text).toContain(NOTHING_TO_DO);
      expect(text).not.toMatch(JARGON);
      expectNoInternals(page.body);
    });
  }

  it('has words for every kind a pending request can carry, none of them jargon', () => {
    const kinds = [null, 'timeout', 'network', 'upstream', 'rate_limited', 'invalid_token', 'not_connected', 'plex.not_connected', 'no_libraries', 'library_missing', 'internal', 'something_new'];
    for (const kind of kinds) expect(pendingReason(kind)).not.toMatch(JARGON);
    expect(pendingReason('timeout')).toBe('Plex is slow to answer right now.');
    expect(pendingReason('network')).toBe(pendingReason('upstream'));
  });
});
