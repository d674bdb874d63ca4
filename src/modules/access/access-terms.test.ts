import { describe, expect, it } from 'vitest';
import { accessNote } from '../public/request-page.js';
import { accessEnd, describePermissions, describeTerms, permissionsOf, storedPermissions, storedTerms, termColumns } from './access-terms.js';

const SENT = '2026-11-20T08:00:00.000Z';
const ACCEPTED = '2026-11-22T10:30:00.000Z';

describe('access terms', () => {
  it('ends days after the send or after acceptance, and not before that moment is known', () => {
    expect(accessEnd({ days: 30, startsOn: 'sent' }, { sentAt: SENT, acceptedAt: null })).toBe('2026-12-20T08:00:00.000Z');
    expect(accessEnd({ days: 1, startsOn: 'accepted' }, { sentAt: SENT, acceptedAt: ACCEPTED })).toBe('2026-11-23T10:30:00.000Z');
    expect(accessEnd({ days: 1, startsOn: 'accepted' }, { sentAt: SENT, acceptedAt: null })).toBeUndefined();
    expect(accessEnd({ days: null, startsOn: 'sent' }, { sentAt: SENT, acceptedAt: ACCEPTED })).toBeUndefined();
    expect(accessEnd(undefined, { sentAt: SENT, acceptedAt: ACCEPTED })).toBeUndefined();
  });

  it('reads stored terms back only with a known start, and writes none as two nulls', () => {
    expect(storedTerms(7, 'sent')).toEqual({ days: 7, startsOn: 'sent' });
    expect(storedTerms(null, 'accepted')).toEqual({ days: null, startsOn: 'accepted' });
    expect(storedTerms(7, null)).toBeUndefined();
    expect(storedTerms(7, 'later')).toBeUndefined();
    expect(termColumns(undefined)).toEqual({ access_days: null, access_starts: null });
    expect(termColumns({ days: 3, startsOn: 'sent' })).toEqual({ access_days: 3, access_starts: 'sent' });
  });

  it('says terms and permissions in the owner\'s words', () => {
    expect(describeTerms({ days: null, startsOn: 'sent' })).toBe('Forever');
    expect(describeTerms({ days: 1, startsOn: 'accepted' })).toBe('1 day from when they accept');
    expect(describeTerms({ days: 30, startsOn: 'sent' })).toBe('30 days from when the invite is sent');
    expect(describePermissions({ allowSync: true, allowChannels: true, allowCameraUpload: false })).toBe('Downloads, Live TV');
    expect(describePermissions({ allowSync: false, allowChannels: false, allowCameraUpload: false })).toBe('None');
  });

  it('reads permissions from storage and from plex.tv (booleans, or "1"/"0"), and nothing from junk', () => {
    expect(storedPermissions('{"allowSync":true,"allowCameraUpload":1}')).toEqual({ allowSync: true, allowChannels: false, allowCameraUpload: false });
    expect(storedPermissions(null)).toBeUndefined();
    expect(storedPermissions('not json')).toBeUndefined();
    expect(storedPermissions('null')).toBeUndefined();
    expect(permissionsOf({ allowSync: '1', allowChannels: '0', allowCameraUpload: true })).toEqual({ allowSync: true, allowChannels: false, allowCameraUpload: true });
    expect(permissionsOf(null)).toBeNull();
  });
});

describe("the friend's end of access", () => {
  const at = { timeZone: 'Europe/Berlin', now: new Date('2026-11-24T12:00:00.000Z') };
  const request = (patch: object) => ({ status: 'sent' as const, access_days: 30, access_starts: 'accepted', sent_at: SENT, accepted_at: null, ...patch });

  it('tells the days before acceptance, the date once it is known, in the owner\'s zone', () => {
    expect(accessNote(request({}), undefined, at)?.text).toBe('Your access lasts 30 days from when you accept the invite.');
    expect(accessNote(request({ access_starts: 'sent' }), undefined, at)).toEqual({
      text: 'Your access lasts until 2026-12-20 09:00 CET. Ask the server owner if you need it for longer.',
      until: '2026-12-20T08:00:00.000Z',
    });
    expect(accessNote(request({ status: 'accepted', accepted_at: ACCEPTED }), undefined, at)?.until).toBe('2026-12-22T10:30:00.000Z');
    expect(accessNote(request({ status: 'pending', access_starts: 'sent', sent_at: null }), undefined, at)?.text).toBe('Your access lasts 30 days from when the invite is sent.');
  });

  it('prefers the end the owner holds now, says when it is over, and says nothing without an end', () => {
    expect(accessNote(request({}), '2027-01-01T00:00:00.000Z', at)?.text).toContain('until 2027-01-01 01:00 CET');
    expect(accessNote(request({}), '2026-11-23T00:00:00.000Z', at)?.text).toBe('Your access ended on 2026-11-23 01:00 CET. Ask the server owner if you would like it back.');
    // The owner cleared the end of an accepted friend: none, whatever the terms said.
    expect(accessNote(request({ status: 'accepted', accepted_at: ACCEPTED }), null, at)).toBeUndefined();
    expect(accessNote(request({ access_starts: 'sent' }), null, at)).toBeUndefined();
    expect(accessNote(request({ access_days: null }), undefined, at)).toBeUndefined();
    expect(accessNote(request({ access_starts: null }), undefined, at)).toBeUndefined();
    expect(accessNote(request({ status: 'already_shared' }), undefined, at)).toBeUndefined();
  });
});
