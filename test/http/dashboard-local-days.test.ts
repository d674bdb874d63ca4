import { afterEach, describe, expect, it } from 'vitest';
import { invitationRow } from '../../bench/invitation-rows.js';
import { ADMIN_PASSWORD, signIn } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const countsRow = (body: string, status: string) => {
  const match = new RegExp(`<tr data-status="${status}"[^>]*>([\\s\\S]*?)</tr>`).exec(body);
  return match ? [...match[1]!.matchAll(/<td[^>]*>([\d,]+)<\/td>/g)].map((m) => Number(m[1]!.replaceAll(',', ''))) : undefined;
};
const chartOf = (body: string) => JSON.parse(/data-chart="([^"]+)"/.exec(body)![1]!.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&'));

describe('the dashboard counts by the owner\'s days (issue 19)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  for (const [zone, today, label] of [['America/Los_Angeles', 'Nov 30', 'the America/Los_Angeles time zone'], ['Europe/Berlin', 'Dec 1', 'the Europe/Berlin time zone']] as const) {
    it(`draws a request at 05:00 UTC on Dec 1 on the ${today} bar and counts it as today in ${zone}; the API keeps UTC days`, async () => {
      t = await createTestApp();
      t.clock.set('2026-12-01T06:00:00.000Z');
      await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
      const session = await signIn(t.app);
      await t.deps.services.settings.update({ timeZone: zone });
      await t.deps.repositories.invitations.insert(invitationRow('evening', 'sent', '2026-12-01T05:00:00.000Z'));

      const page = await session.get('/admin');
      expect(page.statusCode).toBe(200);
      const body = page.body;
      expect(countsRow(body, 'sent')).toEqual([1, 1, 1, 1]);
      const chart = chartOf(body);
      expect(chart.labels.at(-1)).toBe(today);
      expect(chart.series.find((s: { status: string }) => s.status === 'sent').data.at(-1)).toBe(1);
      expect(body).toContain(`the last 30 days (days in ${label}, including today)`);
      expect(body).not.toContain('UTC days');

      const api = await t.deps.services.dashboard.apiStats();
      expect(api.perDay.at(-1)).toMatchObject({ day: '2026-12-01', sent: 1 });
    });
  }
});
