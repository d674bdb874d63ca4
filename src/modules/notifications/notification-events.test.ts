import { describe, expect, it } from 'vitest';
import { describeEvent, EVENT_TYPES, isEventType, newEvent, type EventType, type HelprEvent } from './notification-events.js';

const at = '2026-12-02T10:00:00.000Z';
const event = (type: EventType, data: Record<string, unknown> = {}): HelprEvent => ({ id: 'e1', type, occurredAt: at, data });
const said = (type: EventType, data: Record<string, unknown> = {}, baseUrl = 'https://helpr.example') => {
  const { title, text, level, url } = describeEvent(event(type, data), baseUrl);
  return { title, text, level, url };
};

/** What the owner reads in a chat or an email for each event: the words, how serious, and where to look. */
describe('an event in words', () => {
  it('says who asked, how, with which code, and whether it waits for the owner', () => {
    expect(said('request.received', { who: 'alice@example.com', via: 'plex', code: 'ABCD2345', awaitsOwner: true })).toEqual({
      title: 'alice@example.com asked for access',
      text: 'alice@example.com asked for access with their Plex account with the code ABCD2345. The request waits for your approval.',
      level: 'info',
      url: 'https://helpr.example/admin/invitations?q=alice%40example.com',
    });
    expect(said('request.received', { who: 'bob', via: 'form' })).toMatchObject({ text: 'bob asked for access.' });
  });

  it('tells of an invite sent, accepted and failed, with the reason or a plain one', () => {
    expect(said('invitation.sent', { who: 'bob' })).toEqual({ title: 'Invite sent to bob', text: 'Plex sent bob the invite; they can watch once they accept it.', level: 'success', url: 'https://helpr.example/admin/invitations?q=bob' });
    expect(said('invitation.accepted', { who: 'bob' })).toEqual({ title: 'bob joined', text: 'bob accepted the invite and can watch now.', level: 'success', url: 'https://helpr.example/admin/invitations?q=bob' });
    expect(said('invitation.failed', { who: 'bob', reason: 'the libraries are gone' })).toEqual({
      title: 'The invite for bob failed',
      text: 'Helpr could not invite bob: the libraries are gone. Look at the request to retry or tell them.',
      level: 'error',
      url: 'https://helpr.example/admin/invitations?q=bob',
    });
    expect(said('invitation.failed', { who: 'bob', reason: '' }).text).toBe('Helpr could not invite bob: Plex refused it. Look at the request to retry or tell them.');
  });

  it('calls a friend with no name "someone", and links to all requests then', () => {
    expect(said('invitation.sent')).toMatchObject({ title: 'Invite sent to someone', url: 'https://helpr.example/admin/invitations?q=' });
    expect(said('invitation.sent', { who: '' }).title).toBe('Invite sent to someone');
  });

  it('tells of Plex refusing Helpr, out of reach and back, pointing at the Plex page', () => {
    expect(said('plex.token_refused')).toEqual({
      title: 'Plex refused Helpr’s sign-in',
      text: 'Plex no longer accepts Helpr’s sign-in (revoked, expired or signed out). Requests wait until you sign in with Plex again in the admin area.',
      level: 'error',
      url: 'https://helpr.example/admin/plex',
    });
    expect(said('plex.unreachable', { minutes: 10, reason: 'connection refused' })).toEqual({
      title: 'Plex cannot be reached',
      text: 'Helpr has not reached Plex for 10 minutes: connection refused. Requests are kept and sent once it answers.',
      level: 'warning',
      url: 'https://helpr.example/admin/plex',
    });
    expect(said('plex.unreachable').text).toBe('Helpr has not reached Plex for some minutes: no answer. Requests are kept and sent once it answers.');
    expect(said('plex.recovered')).toEqual({ title: 'Plex can be reached again', text: 'Helpr reaches Plex again; waiting requests go out now.', level: 'success', url: 'https://helpr.example/admin/plex' });
  });

  it('tells of access ending, ended and removed, pointing at the person’s page', () => {
    expect(said('access.expiring', { who: 'carol', userId: 'u/1', expiresAt: '2026-12-05T08:30:00.000Z' })).toEqual({
      title: 'carol’s access ends soon',
      text: 'carol’s access ends on 2026-12-05 08:30 UTC. Extend it on their page if they should keep it.',
      level: 'warning',
      url: 'https://helpr.example/admin/users/u%2F1',
    });
    // A date that is not an ISO instant is shown as it came.
    expect(said('access.expiring', { who: 'carol', expiresAt: 'tomorrow' }).text).toBe('carol’s access ends on tomorrow. Extend it on their page if they should keep it.');
    expect(said('access.expiring', { who: 'carol', expiresAt: 'on 2026-12-05T08:30' }).text).toContain('ends on on 2026-12-05T08:30.');
    expect(said('access.expiring', { who: 'carol', expiresAt: '2026-12-05T8:30' }).text).toContain('ends on 2026-12-05T8:30.');
    expect(said('access.expired', { who: 'carol', userId: 'u1' })).toEqual({
      title: 'carol’s access ended',
      text: 'carol’s access ran out and was removed in Plex. You can give it back on their page.',
      level: 'info',
      url: 'https://helpr.example/admin/users/u1',
    });
    expect(said('access.removed', { who: 'dan', inPlex: true })).toEqual({ title: 'dan’s access was removed', text: 'dan no longer has access (removed in Plex).', level: 'info', url: 'https://helpr.example/admin/users' });
    expect(said('access.removed', { who: 'dan' }).text).toBe('dan no longer has access.');
  });

  it('tells of a users sync not trusted, with its reason or a plain one', () => {
    expect(said('sync.warning', { message: 'plex.tv answered 503' })).toEqual({ title: 'Users sync not trusted', text: 'The users sync changed nothing: plex.tv answered 503.', level: 'warning', url: 'https://helpr.example/admin/users' });
    expect(said('sync.warning').text).toBe('The users sync changed nothing: plex.tv did not answer as expected.');
  });

  it('has no link without a public address, and keeps the event it describes', () => {
    const described = describeEvent(event('plex.recovered'));
    expect(described.url).toBeUndefined();
    expect(described.event).toEqual(event('plex.recovered'));
  });
});

describe('an event row', () => {
  it('knows the eleven event types and nothing else', () => {
    expect(EVENT_TYPES).toHaveLength(11);
    expect(EVENT_TYPES.every(isEventType)).toBe(true);
    expect(isEventType('request.sent')).toBe(false);
    expect(isEventType(undefined)).toBe(false);
  });

  it('is written with a new id, its type, time and facts as JSON', () => {
    const row = newEvent('invitation.sent', { who: 'bob' }, at);
    expect(row).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), type: 'invitation.sent', occurred_at: at, data: '{"who":"bob"}' });
    expect(newEvent('invitation.sent', {}, at).id).not.toBe(row.id);
  });
});
