import { describe, expect, it } from 'vitest';
import { parsePlexIdentifier } from './identifier.js';

// What a friend types as their Plex account, on its own (the service tests reach it through submit).

describe('parsePlexIdentifier', () => {
  it('reads an email address, trimmed and lower-cased', () => {
    expect(parsePlexIdentifier('  Friend@Example.COM ')).toEqual({ value: 'friend@example.com', normalized: 'friend@example.com', kind: 'email' });
  });

  it('keeps a username as typed, compared lower-cased', () => {
    expect(parsePlexIdentifier(' Alice.B-2 ')).toEqual({ value: 'Alice.B-2', normalized: 'alice.b-2', kind: 'username' });
  });

  it('asks for the account when nothing (or no text) was typed', () => {
    for (const input of [undefined, null, 42, {}, '', '   ']) {
      expect(() => parsePlexIdentifier(input), String(input)).toThrow(
        expect.objectContaining({ code: 'invite.invalid_identifier', status: 400, fields: { email: 'Type the email address or the username of your Plex account.' } }),
      );
    }
  });

  it('accepts an email address of 254 characters, not 255', () => {
    const longest = `${'a'.repeat(254 - '@example.com'.length)}@example.com`;
    expect(parsePlexIdentifier(longest).value).toBe(longest);
    expect(() => parsePlexIdentifier(`a${longest}`)).toThrow('This email address is too long (254 characters at most).');
  });

  it('refuses what does not look like an email address', () => {
    for (const input of ['friend@', '@example.com', 'friend@example', 'friend@example.c', 'a b@example.com', 'friend@@example.com', 'friend@exa mple.com', '<friend>@example.com', 'friend@example.com extra', 'friend@example.com;b@example.com', 'friend@example.com.']) {
      expect(() => parsePlexIdentifier(input), input).toThrow('This does not look like an email address. Check it for typos.');
    }
  });

  it('accepts usernames of 2 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit', () => {
    for (const input of ['ab', '9lives', 'a_b.c-d', 'x'.repeat(64)]) expect(parsePlexIdentifier(input).kind, input).toBe('username');
    for (const input of ['a', 'x'.repeat(65), '_alice', '.alice', 'two words', 'alice!', 'élise']) {
      expect(() => parsePlexIdentifier(input), input).toThrow('A Plex username has 2 to 64 letters, digits, dots, dashes or underscores. Or type your email address.');
    }
  });
});
