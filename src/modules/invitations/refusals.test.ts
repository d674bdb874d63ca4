import { describe, expect, it } from 'vitest';
import { failureWords, refusalKind, REFUSED_FOR_GOOD_KINDS, UNREFINED_KINDS } from './refusals.js';

describe('a refusal’s kind', () => {
  it('is read from Plex’s own words only, in either form Helpr stores them', () => {
    expect(refusalKind('rejected', 'Plex refused sending the invite (400: You cannot share a server with yourself)')).toBe('self_share');
    expect(refusalKind('rejected', 'Plex refused sending the invite (400: User could not be found)  \n')).toBe('unknown_account');
    expect(refusalKind('rejected', 'Plex answered 400 while sending the invite: This account is not accepting invites')).toBe('account_refuses');
    expect(refusalKind('rejected', 'Plex answered 422 while sending the invite: Library section 12 was not found\nsecond line')).toBe('library_gone');
    // Helpr's framing never counts: "yourself" here is outside Plex's words.
    expect(refusalKind('rejected', 'Helpr said yourself (400: Something else went wrong)')).toBe('rejected');
    expect(refusalKind('rejected', 'Helpr said yourself, 400 while sending: Something else went wrong')).toBe('rejected');
    // Plex's words are the whole message when it has neither form.
    expect(refusalKind('rejected', 'You cannot share with yourself')).toBe('self_share');
    expect(refusalKind('rejected', 'It (40: your own account)')).toBe('self_share');
    expect(refusalKind('rejected', 'It (400: fine) and more after')).toBe('rejected');
    expect(refusalKind('rejected', 'It 4000 while x: your own server')).toBe('self_share');
    expect(refusalKind('rejected', 'yourself 400 while x y: nothing')).toBe('rejected');
  });

  it('is a server gone for a 404 Plex gives no reason for, and stays as it is for other kinds', () => {
    expect(refusalKind('not_found', 'Plex answered 404 while sending the invite: ')).toBe('server_gone');
    expect(refusalKind('not_found', null)).toBe('server_gone');
    expect(refusalKind('rejected', undefined)).toBe('rejected');
    expect(refusalKind('timeout', 'You cannot share with yourself')).toBe('timeout');
  });
});

describe('the words for a failed request', () => {
  it('tell the friend and the owner what happened and what to do, for each refusal', () => {
    const said = (kind: string) => {
      const words = failureWords(kind);
      return { ...words.friend('sam'), owner: words.owner, retryable: words.retryable };
    };
    const told = 'Your request is saved and the server owner can see what went wrong.';
    expect(said('self_share')).toEqual({
      headline: '"sam" is the Plex account of this server\'s owner, and Plex does not let an owner invite their own account.',
      steps: ['To ask for access for yourself, use the email address or username of your own Plex account.', 'If you are the owner: your libraries are already yours, there is nothing to ask for.'],
      owner: 'This is your own Plex account: Plex does not let a server owner invite themselves. Nothing to send again.',
      retryable: false,
    });
    expect(said('unknown_account')).toMatchObject({ headline: 'Plex has no account called "sam".', retryable: false });
    expect(said('account_refuses')).toEqual({
      headline: 'The Plex account "sam" does not accept invites to other people\'s servers.',
      steps: ['Allow invites in the settings of your Plex account (at plex.tv), then ask the server owner to send the invite again.', told],
      owner: 'Plex says this account does not accept invites. Once the friend allows invites in their Plex account, press Retry now.',
      retryable: true,
    });
    expect(said('library_gone')).toEqual({
      headline: 'The libraries this invite was for are no longer on the server.',
      steps: ['The server owner needs to choose the libraries again; they can then send your invite.', told],
      owner: 'Plex no longer has a library this invitation shares (removed or re-created on the server). Choose the libraries again, then press Retry now.',
      retryable: true,
    });
    expect(said('server_gone')).toEqual({
      headline: 'Plex no longer knows the server this page belongs to, so the invite could not be sent.',
      steps: ['The server owner needs to connect the server again; they can then send your invite.', told],
      owner: 'Plex no longer knows the server Helpr is set up for (removed from your Plex account, or replaced). Choose the server again under Plex, then press Retry now.',
      retryable: true,
    });
    expect(said('rejected')).toEqual({
      headline: 'Plex did not accept the invite for "sam".',
      steps: ['Check the spelling, or use the email address of your Plex account instead of the username.', told],
      owner: 'Plex refused this invitation (its words are under Details). Press Retry now once what it says is fixed.',
      retryable: true,
    });
  });

  it('say the request gave up after a day for anything else, and read an older row’s refusal from its stored error', () => {
    for (const kind of ['timeout', null, 'toString']) {
      const words = failureWords(kind);
      expect({ ...words.friend('sam'), owner: words.owner, retryable: words.retryable }).toEqual({
        headline: "The server's connection to Plex needs the owner's attention, so the invite could not be sent.",
        steps: ['Your request is saved and the owner can see it. You can ask them to send it again.'],
        owner: 'Helpr tried for 24 hours and then stopped (the reason is under Details). Press Retry now to try again.',
        retryable: true,
      });
    }
    expect(failureWords('rejected', 'Plex refused (400: You cannot share a server with yourself)').retryable).toBe(false);
  });

  it('know which recorded kinds a retry cannot help, and which kinds predate telling refusals apart', () => {
    expect([...REFUSED_FOR_GOOD_KINDS].sort()).toEqual(['self_share', 'unknown_account']);
    expect(UNREFINED_KINDS).toEqual(['rejected', 'not_found']);
  });
});
