import { describe, expect, it } from 'vitest';
import { formatTime, localInputValue, timeViewHelpers, zoneAbbreviation } from './time-format.js';
import { canonicalTimeZone, dayStartIn, localToUtc, nextDay, TIME_ZONES, zoneOffsetMs } from './time-zone.js';

const utc = (local: string, zone: string) => localToUtc(local, zone)?.toISOString();

describe('wall-clock time in a zone to UTC', () => {
  it('uses winter and summer offsets away from any clock change', () => {
    expect(utc('2026-01-15T12:00', 'Europe/Berlin')).toBe('2026-01-15T11:00:00.000Z');
    expect(utc('2026-07-15T12:00', 'Europe/Berlin')).toBe('2026-07-15T10:00:00.000Z');
    expect(utc('2026-01-15T12:00', 'America/New_York')).toBe('2026-01-15T17:00:00.000Z');
    expect(utc('2026-07-15T12:00', 'America/New_York')).toBe('2026-07-15T16:00:00.000Z');
    expect(utc('2026-07-15T12:00', 'Asia/Kolkata')).toBe('2026-07-15T06:30:00.000Z');
    expect(utc('2026-07-15T12:00', 'UTC')).toBe('2026-07-15T12:00:00.000Z');
    expect(utc('2026-07-15T12:00:30.5', 'UTC')).toBe('2026-07-15T12:00:30.500Z');
  });

  it('Europe/Berlin, spring forward (2027-03-28, 02:00 -> 03:00): the skipped half hour lands after the jump', () => {
    expect(utc('2027-03-28T01:59', 'Europe/Berlin')).toBe('2027-03-28T00:59:00.000Z');
    // 02:30 never shows on Berlin's clocks that night; browsers read it as 03:30 CEST.
    expect(utc('2027-03-28T02:30', 'Europe/Berlin')).toBe('2027-03-28T01:30:00.000Z');
    expect(utc('2027-03-28T03:00', 'Europe/Berlin')).toBe('2027-03-28T01:00:00.000Z');
    expect(utc('2027-03-28T03:30', 'Europe/Berlin')).toBe('2027-03-28T01:30:00.000Z');
  });

  it('Europe/Berlin, fall back (2027-10-31, 03:00 -> 02:00): a time that happens twice is the first one', () => {
    expect(utc('2027-10-31T01:59', 'Europe/Berlin')).toBe('2027-10-30T23:59:00.000Z');
    expect(utc('2027-10-31T02:30', 'Europe/Berlin')).toBe('2027-10-31T00:30:00.000Z');
    expect(utc('2027-10-31T03:00', 'Europe/Berlin')).toBe('2027-10-31T02:00:00.000Z');
  });

  it('America/New_York, spring forward (2027-03-14) and fall back (2027-11-07)', () => {
    expect(utc('2027-03-14T01:59', 'America/New_York')).toBe('2027-03-14T06:59:00.000Z');
    expect(utc('2027-03-14T02:30', 'America/New_York')).toBe('2027-03-14T07:30:00.000Z');
    expect(utc('2027-03-14T03:00', 'America/New_York')).toBe('2027-03-14T07:00:00.000Z');
    expect(utc('2027-11-07T00:59', 'America/New_York')).toBe('2027-11-07T04:59:00.000Z');
    expect(utc('2027-11-07T01:30', 'America/New_York')).toBe('2027-11-07T05:30:00.000Z');
    expect(utc('2027-11-07T02:00', 'America/New_York')).toBe('2027-11-07T07:00:00.000Z');
  });

  it('a day starts at local midnight, also on a clock-change day', () => {
    expect(dayStartIn('2027-03-28', 'Europe/Berlin')?.toISOString()).toBe('2027-03-27T23:00:00.000Z');
    expect(dayStartIn('2027-03-29', 'Europe/Berlin')?.toISOString()).toBe('2027-03-28T22:00:00.000Z');
    expect(dayStartIn('2027-11-07', 'America/New_York')?.toISOString()).toBe('2027-11-07T04:00:00.000Z');
    expect(dayStartIn('2027-02-30', 'Europe/Berlin')).toBeUndefined();
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('refuses what is not a real date and time', () => {
    for (const text of ['2027-02-29T12:00', '2026-13-01T12:00', '2026-01-01T24:00', '2026-01-01T12:60', '2026-01-01T12:00:60', '0050-01-01T00:00', '2026-01-01', '2026-01-01 12:00', 'soon']) {
      expect(localToUtc(text, 'Europe/Berlin'), text).toBeUndefined();
    }
  });

  it('offsets are whole and signed', () => {
    expect(zoneOffsetMs(Date.parse('2027-03-28T01:30:00.123Z'), 'Europe/Berlin')).toBe(2 * 3_600_000);
    expect(zoneOffsetMs(Date.parse('2027-01-01T00:00:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
  });
});

describe('time zone names', () => {
  it('accepts IANA names (any case, aliases) and gives the runtime spelling', () => {
    expect(TIME_ZONES[0]).toBe('UTC');
    expect(TIME_ZONES).toContain('Europe/Berlin');
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone(' europe/berlin ')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Etc/UTC')).toBe('UTC');
    expect(TIME_ZONES).toContain(canonicalTimeZone('Asia/Kolkata'));
  });

  it('refuses anything else', () => {
    for (const bad of ['', 'Mars/Olympus', '+01:00', 'Europe/Berlin\u0000', 'x'.repeat(100), 42, undefined, '../etc']) {
      expect(canonicalTimeZone(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('times as the owner reads them', () => {
  it('names the zone by its abbreviation, which follows summer time', () => {
    expect(formatTime('2027-03-28T00:59:00.000Z', 'Europe/Berlin')).toBe('2027-03-28 01:59 CET');
    expect(formatTime('2027-03-28T01:30:00.000Z', 'Europe/Berlin')).toBe('2027-03-28 03:30 CEST');
    expect(formatTime('2026-11-24T12:00:00.000Z', 'America/New_York')).toBe('2026-11-24 07:00 EST');
    expect(formatTime('2026-07-01T12:00:00.000Z', 'America/New_York')).toBe('2026-07-01 08:00 EDT');
    expect(formatTime('2026-07-01T12:00:00.000Z', 'Australia/Sydney')).toBe('2026-07-01 22:00 AEST');
    expect(formatTime('2026-07-01T12:00:00.000Z', 'Asia/Tokyo')).toBe('2026-07-01 21:00 UTC+9');
    expect(formatTime('2026-11-24T12:00:04.900Z', 'UTC', { seconds: true })).toBe('2026-11-24 12:00:04 UTC');
    expect(formatTime('2026-11-24T12:00:00.000Z')).toBe('2026-11-24 12:00 UTC');
    expect(formatTime(null)).toBe('');
    expect(zoneAbbreviation(Date.parse('2026-07-01T12:00:00Z'), 'Europe/London')).toBe('BST');
  });

  it('fills a datetime-local field with the local time, and the view helpers escape and carry the instant', () => {
    expect(localInputValue('2027-03-28T01:30:00.000Z', 'Europe/Berlin')).toBe('2027-03-28T03:30');
    const helpers = timeViewHelpers('Europe/Berlin');
    expect(helpers.timeZone).toEqual({ name: 'Europe/Berlin', label: 'Europe/Berlin', chosen: true });
    expect(timeViewHelpers('America/New_York').timeZone.label).toBe('America/New York');
    expect(helpers.timeTag('2026-11-24T12:00:00.000Z')).toBe('<time datetime="2026-11-24T12:00:00.000Z">2026-11-24 13:00 CET</time>');
    expect(helpers.timeTag('<b>')).toBe('<time datetime="&lt;b&gt;">&lt;b&gt;</time>');
    expect(timeViewHelpers(undefined).timeZone).toEqual({ name: 'UTC', label: 'UTC', chosen: false });
  });
});

describe('current zone names (issue 19)', () => {
  it('lists Asia/Kolkata, Europe/Kyiv and Asia/Ho_Chi_Minh, not their old names, and accepts both spellings', () => {
    for (const [old, current] of [['Asia/Calcutta', 'Asia/Kolkata'], ['Europe/Kiev', 'Europe/Kyiv'], ['Asia/Saigon', 'Asia/Ho_Chi_Minh']]) {
      expect(TIME_ZONES).toContain(current);
      expect(TIME_ZONES).not.toContain(old);
      expect(canonicalTimeZone(old)).toBe(current);
      expect(canonicalTimeZone(current)).toBe(current);
    }
  });
});
