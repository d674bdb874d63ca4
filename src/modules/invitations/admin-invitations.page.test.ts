import { describe, expect, it } from 'vitest';
import { csvCell } from './admin-invitations.csv.js';
import { filterFromQuery, filterQueryString, toInvitationQuery } from './admin-invitations.filter.js';
import { safeBack } from './admin-invitations.messages.js';
import { toInvitationView } from './admin-invitations.models.js';
import { invitationsPageData, librariesText, pageNumbers, statusLegend } from './admin-invitations.page.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';

describe('invitations page helpers', () => {
  it('links the first, the last and two pages either side, with gaps', () => {
    expect(pageNumbers(1, 1)).toEqual([1]);
    expect(pageNumbers(1, 4)).toEqual([1, 2, 3, 4]);
    expect(pageNumbers(10, 20)).toEqual([1, null, 8, 9, 10, 11, 12, null, 20]);
    expect(pageNumbers(4, 20)).toEqual([1, 2, 3, 4, 5, 6, null, 20]);
  });

  it('reads a forgiving filter from a page query and writes it back', () => {
    const { filter, page } = filterFromQuery({ status: 'bogus', page: '-3', q: '  Ali ', from: '' });
    expect(filter).toEqual({ status: 'all', from: undefined, to: undefined, q: 'Ali' });
    expect(page).toBe(1);
    expect(filterQueryString({ status: 'failed', q: 'a b', from: '2026-11-01' }, 3)).toBe('?status=failed&from=2026-11-01&q=a+b&page=3');
  });

  it('turns whole UTC days into half-open bounds and refuses impossible dates', () => {
    expect(toInvitationQuery({ status: 'sent', from: '2026-11-01', to: '2026-11-01', q: ' ALI ' })).toEqual({
      status: 'sent',
      fromIso: '2026-11-01T00:00:00.000Z',
      beforeIso: '2026-11-02T00:00:00.000Z',
      contains: 'ali',
    });
    expect(() => toInvitationQuery({ status: 'all', to: '2026-02-29' })).toThrow(expect.objectContaining({ fields: { to: expect.any(String) } }));
  });

  it('filters by accepted apart from sent (issue 12)', () => {
    expect(filterFromQuery({ status: 'accepted' }).filter.status).toBe('accepted');
    expect(toInvitationQuery({ status: 'accepted' }).status).toBe('accepted');
    expect(filterQueryString({ status: 'accepted' })).toBe('?status=accepted');
  });

  it('marks Plex joins and says what sent and accepted mean once the page shows one', () => {
    const joined = toInvitationView({ ...invitationRow({ status: 'accepted', joined_with: 'plex', plex_account_id: '4242' }), code: null });
    const typed = toInvitationView({ ...invitationRow({ status: 'sent' }), code: null });
    expect(statusLegend([typed])).toEqual([]);
    expect(statusLegend([typed, joined]).map((entry) => entry.label)).toEqual(['Sent', 'Accepted']);

    const page = invitationsPageData({ items: [joined, typed], page: 1, perPage: 25, total: 2, libraryTitles: {}, retryableFailed: 0 }, { status: 'all' }, {});
    expect(page.statuses.map((s) => s.value)).toContain('accepted');
    expect(page.statuses.find((s) => s.value === 'accepted')!.label).toBe('Accepted');
    expect(page.legend).toHaveLength(2);
    expect(page.rows[0]).toMatchObject({ joinedWith: 'plex', joinedWithLabel: 'Plex sign-in', plexAccountId: '4242', statusLabel: 'Accepted', canRevoke: true, canRetry: false });
    expect(page.rows[0]!.statusMeaning).toMatch(/^Accepted: .*can watch now\.$/);
    expect(page.rows[1]).toMatchObject({ joinedWith: 'email', joinedWithLabel: 'Email form', plexAccountId: null });
  });

  it('names the libraries whether the row keeps their keys or, from a code made with titles, their titles', () => {
    const titles = { '1': 'Movies', '2': 'TV Shows' };
    expect(librariesText({ status: 'accepted', libraries: ['1', '2'] }, titles)).toBe('Movies, TV Shows');
    expect(librariesText({ status: 'accepted', libraries: ['Movies'] }, titles)).toBe('Movies');
    expect(librariesText({ status: 'sent', libraries: ['9', 'Cartoons'] }, titles)).toBe('library 9, library Cartoons');
    expect(librariesText({ status: 'sent', libraries: [] }, titles)).toBe('default');
  });

  it('quotes every CSV cell and defuses formulas', () => {
    expect(csvCell(null)).toBe('""');
    expect(csvCell(3)).toBe('"3"');
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}1`)).toBe(`"'${start}1"`);
    expect(csvCell('alice@example.com')).toBe('"alice@example.com"');
  });

  it('only goes back to the invitations list', () => {
    expect(safeBack('/admin/invitations?status=failed&page=2')).toBe('/admin/invitations?status=failed&page=2');
    for (const bad of ['//evil.example', 'https://evil.example/admin/invitations', '/admin/settings', '/admin/invitations/../settings', undefined]) {
      expect(safeBack(bad)).toBe('/admin/invitations');
    }
  });
});
