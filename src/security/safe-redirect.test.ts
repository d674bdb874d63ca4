import { validateHeaderValue } from 'node:http';
import { describe, expect, it } from 'vitest';
import { safeRedirectPath } from './safe-redirect.js';

const admin = { fallback: '/admin', within: '/admin' };
const list = { fallback: '/admin/invitations', within: '/admin/invitations', exact: true };

describe('safeRedirectPath', () => {
  it('keeps a path on this site with its query', () => {
    expect(safeRedirectPath('/admin', admin)).toBe('/admin');
    expect(safeRedirectPath('/admin/codes?page=2', admin)).toBe('/admin/codes?page=2');
    expect(safeRedirectPath('/admin/invitations?status=failed&q=a%20b', list)).toBe('/admin/invitations?status=failed&q=a%20b');
  });

  it.each([
    ['/admin/%0a', '/admin/%0a'],
    ['/admin\n', '/admin'],
    ['/admin/\u0000x', '/admin/%00x'],
    ['/admin/\u0100', '/admin/%C4%80'],
    ['/admin?next=\u0100\r\n', '/admin?next=%C4%80'],
    ['/admin/caf\u00e9', '/admin/caf%C3%A9'],
    ['/admin/\ud83d\ude00', '/admin/%F0%9F%98%80'],
    ['/admin/a b?c d', '/admin/a%20b?c%20d'],
    ['/admin/%ZZ', '/admin/%ZZ'],
    ['/admin/x#fragment', '/admin/x'],
  ])('re-encodes %j as visible ASCII (%s)', (value, expected) => {
    const path = safeRedirectPath(value, admin);
    expect(path).toBe(expected);
    expect(() => validateHeaderValue('location', path)).not.toThrow();
  });

  it.each([
    '//evil.example/admin',
    '/\\evil.example/admin',
    '/\t/evil.example/admin',
    '/\n/evil.example',
    '\\/evil.example',
    'https://evil.example/admin',
    'javascript:alert(1)',
    ' /admin',
    'admin',
    '',
    '/administrator',
    '/admin/..//evil.example',
    '/admin/../setup',
    '/admin/%2e%2e/setup',
    '/setup',
    // A lone surrogate cannot be encoded: the parser replaces it, and the result is still safe; but
    // an unpaired one at the start of a path is simply not a path.
    '\ud800',
  ])('refuses %j', (value) => {
    expect(safeRedirectPath(value, admin)).toBe('/admin');
  });

  it('refuses a target too long to be a link anyone follows', () => {
    expect(safeRedirectPath(`/admin/${'x'.repeat(3000)}`, admin)).toBe('/admin');
    expect(safeRedirectPath(`/admin/${'\u0100'.repeat(500)}`, admin)).toBe('/admin');
  });

  it('refuses what is not text', () => {
    for (const value of [undefined, null, 42, ['/admin/codes'], { toString: () => '/admin/codes' }]) {
      expect(safeRedirectPath(value, admin)).toBe('/admin');
    }
  });

  it('refuses a relative path even when it would resolve inside the scope', () => {
    const login = { fallback: '/admin/login', within: '/admin' };
    expect(safeRedirectPath('admin/codes', login)).toBe('/admin/login');
    expect(safeRedirectPath('/admin/codes', login)).toBe('/admin/codes');
  });

  it('refuses another site disguised as a path, and a long target that parsing would shorten, even when the result is in scope', () => {
    const login = { fallback: '/admin/login', within: '/admin' };
    expect(safeRedirectPath('/\t/evil.example/admin/codes', login)).toBe('/admin/login');
    expect(safeRedirectPath(`/admin/${'./'.repeat(1100)}codes`, login)).toBe('/admin/login');
    expect(safeRedirectPath(`/admin/${'./'.repeat(100)}codes`, login)).toBe('/admin/codes');
  });

  it('keeps a target of exactly 2048 characters, not one longer', () => {
    const longest = `/admin/${'x'.repeat(2048 - 7)}`;
    expect(safeRedirectPath(longest, admin)).toBe(longest);
    expect(safeRedirectPath(`${longest}x`, admin)).toBe('/admin');
    // 2048 typed, longer once encoded.
    expect(safeRedirectPath(`/admin/${'x'.repeat(2048 - 8)}\u00e9`, admin)).toBe('/admin');
  });

  it('refuses another site written as a path even when the whole site is in scope', () => {
    const site = { fallback: '/', within: '/' };
    expect(safeRedirectPath('/admin/..//evil.example', site)).toBe('/');
    expect(safeRedirectPath('/\\evil.example', site)).toBe('/');
    expect(safeRedirectPath('/codes', site)).toBe('/codes');
  });

  it('keeps an exact scope to its one path', () => {
    expect(safeRedirectPath('/admin/invitations/1/revoke', list)).toBe('/admin/invitations');
    expect(safeRedirectPath('/admin/invitationsx', list)).toBe('/admin/invitations');
    expect(safeRedirectPath('/admin/invitations?page=3', list)).toBe('/admin/invitations?page=3');
  });

  it('never returns anything a Location header cannot carry', () => {
    const samples = ['/admin/\ud800', '/admin?\udfff', '/admin/\u007f', '/admin/\u00ff', '/admin?x=\u2028', '/admin/%00'];
    for (const sample of samples) {
      const path = safeRedirectPath(sample, admin);
      expect(path).toMatch(/^\/admin[\x21-\x7e]*$/);
      expect(() => validateHeaderValue('location', path)).not.toThrow();
    }
  });
});
