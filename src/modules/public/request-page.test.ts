import { describe, expect, it } from 'vitest';
import { requestPageModel } from './request-page.js';

const failed = (joined_with: 'plex' | 'email', error_kind: string, last_error: string) =>
  requestPageModel({ status: 'failed', identifier: 'friend', error_kind, last_error, joined_with });
const words = (model: ReturnType<typeof requestPageModel>) => [model.headline, ...model.steps].join(' ');

describe('the result page of a failed request', () => {
  it('never tells a friend who signed in with Plex to check what they typed', () => {
    const refusals: Array<[string, string]> = [
      ['rejected', 'Plex refused sending the invite (400: Bad request)'],
      ['unknown_account', 'Plex refused sending the invite (404: User could not be found)'],
      ['self_share', "Plex refused sending the invite (400: You can't share a server with yourself)"],
    ];
    for (const [kind, error] of refusals) {
      const plex = words(failed('plex', kind, error));
      expect(plex).not.toMatch(/spelling|email address or username|instead of the username|ask again here/i);
      expect(plex).toMatch(/Continue with Plex|server owner/);
      // The email form's words stay as they were.
      expect(words(failed('email', kind, error))).toMatch(/spelling|email address or username/i);
    }
    expect(words(failed('plex', 'self_share', 'x'))).toContain('sign in with your own Plex account');
  });

  it('keeps the shared words where they fit both ways (a library gone, given up)', () => {
    for (const kind of ['library_gone', 'server_gone', 'upstream']) {
      expect(failed('plex', kind, 'Gave up after 24 hours: x')).toEqual(failed('email', kind, 'Gave up after 24 hours: x'));
    }
  });
});
