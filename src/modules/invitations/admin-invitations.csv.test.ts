import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import { CSV_HEADER, invitationsCsv } from './admin-invitations.csv.js';
import { toInvitationView, type InvitationView } from './admin-invitations.models.js';

async function* rows(...views: InvitationView[]) {
  yield* views;
}

describe('the invitations CSV (issue 12)', () => {
  it('appends joined_with and plex_account_id after every older column', () => {
    expect(CSV_HEADER).toBe(
      '"id","created_at","identifier","identifier_kind","status","source","code","libraries","attempts","last_error","sent_at","client_ip","created_local","sent_local","time_zone","library_keys","joined_with","plex_account_id"\r\n',
    );
  });

  it('exports an accepted Plex join with its account id, and a typed request as email', async () => {
    const joined = toInvitationView({ ...invitationRow({ id: 'joined', identifier: 'alice', status: 'accepted', joined_with: 'plex', plex_account_id: '4242' }), code: null });
    const typed = toInvitationView({ ...invitationRow({ id: 'typed', identifier: 'bob@example.com', status: 'sent' }), code: null });
    const lines = (await text(invitationsCsv(rows(joined, typed), { 1: 'Movies', 2: 'TV Shows' }))).split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^"joined",".*","alice","username","accepted","public",.*,"1 2","plex","4242"$/);
    expect(lines[2]).toMatch(/^"typed",.*,"sent",.*,"1 2","email",""$/);
  });

  it('names libraries by title, keeps a title a code stored as it is, and marks an unknown key', async () => {
    const view = toInvitationView({ ...invitationRow({ id: 'titled', libraries: JSON.stringify(['1', 'TV Shows', '9']) }), code: null });
    const lines = (await text(invitationsCsv(rows(view), { 1: 'Movies', 2: 'TV Shows' }))).split('\r\n');
    expect(lines[1]).toContain('"Movies, TV Shows, library 9"');
  });
});
