import { describe, expect, it } from 'vitest';
import { digestMessage, latestDigestSlot } from './digest.js';

describe('the daily digest', () => {
  it('is due from 08:00 of the owner’s day: today’s once it is past, else yesterday’s', () => {
    expect(latestDigestSlot(new Date('2026-12-02T09:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-12-02T07:00:00.000Z');
    expect(latestDigestSlot(new Date('2026-12-02T06:59:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-12-01T07:00:00.000Z');
    expect(latestDigestSlot(new Date('2026-12-02T07:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-12-02T07:00:00.000Z');
    // Summer time: 08:00 in Berlin is 06:00 UTC.
    expect(latestDigestSlot(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-07-01T06:00:00.000Z');
    expect(latestDigestSlot(new Date('2026-12-02T03:00:00Z'), 'UTC').toISOString()).toBe('2026-12-01T08:00:00.000Z');
  });

  it('lists the events in time order, in the tone of the most serious, and says how many more past fifty', () => {
    const item = (n: number, type = 'request.received') => ({ event_id: `e${n}`, type, occurred_at: `2026-12-02T0${n % 10}:00:00.000Z`, data: JSON.stringify({ who: `friend${n}`, reason: 'x' }) });
    const small = digestMessage([item(1), item(2, 'invitation.failed')], { siteTitle: 'Movies at Sam’s', baseUrl: 'https://h.example', zone: 'UTC', nowIso: '2026-12-02T08:00:00.000Z' });
    expect(small).toMatchObject({ title: 'Movies at Sam’s: 2 things since the last digest', level: 'error', url: 'https://h.example/admin/notifications' });
    expect(small.text).toBe('• 2026-12-02 01:00 UTC: friend1 asked for access\n• 2026-12-02 02:00 UTC: The invite for friend2 failed');
    const many = digestMessage(Array.from({ length: 53 }, (_, n) => item(n)), { siteTitle: 'S', zone: 'UTC', nowIso: '2026-12-02T08:00:00.000Z' });
    expect(many.text.split('\n')).toHaveLength(51);
    expect(many.text.endsWith('…and 3 more on the Notifications page.')).toBe(true);
    expect(many.level).toBe('info');
    expect(digestMessage([item(1)], { siteTitle: 'S', zone: 'UTC', nowIso: '2026-12-02T08:00:00.000Z' }).title).toBe('S: 1 thing since the last digest');
  });
});

describe('a digest at its edges', () => {
  const item = (n: number, type: string) => ({ event_id: `e${n}`, type, occurred_at: '2026-12-02T01:00:00.000Z', data: JSON.stringify({ who: `friend${n}` }) });
  const context = { siteTitle: 'S', zone: 'UTC', nowIso: '2026-12-02T08:00:00.000Z' };

  it('lists exactly fifty without a "more" line, and keeps the worst tone whatever comes after it', () => {
    const fifty = digestMessage(Array.from({ length: 50 }, (_, n) => item(n, 'request.received')), context);
    expect(fifty.text.split('\n')).toHaveLength(50);
    expect(fifty.text).not.toContain('more on the Notifications page');
    expect(digestMessage([item(1, 'invitation.failed'), item(2, 'request.received'), item(3, 'invitation.sent')], context).level).toBe('error');
    expect(digestMessage([item(1, 'invitation.sent'), item(2, 'plex.unreachable'), item(3, 'request.received')], context).level).toBe('warning');
    expect(digestMessage([item(1, 'invitation.sent')], context)).toMatchObject({ level: 'success', url: undefined });
  });

  it('is an event of its own: the digest’s time, the first event’s type, how many', () => {
    expect(digestMessage([item(1, 'invitation.sent'), item(2, 'request.received')], context).event).toEqual({ id: 'digest-2026-12-02T08:00:00.000Z', type: 'invitation.sent', occurredAt: '2026-12-02T08:00:00.000Z', data: { count: 2 } });
    expect(digestMessage([], context)).toMatchObject({ title: 'S: 0 things since the last digest', text: '', level: 'success', event: { type: 'request.received', data: { count: 0 } } });
  });
});
