import { describe, expect, it } from 'vitest';
import { linkOn, parseBasePath, prefixPage, stripBasePath, withBase } from './base-path.js';

describe('BASE_PATH', () => {
  it('is read with or without slashes, "/" or empty for none, and the path of BASE_URL when unset', () => {
    expect(parseBasePath('/helpr', undefined)).toBe('/helpr');
    expect(parseBasePath('helpr/', undefined)).toBe('/helpr');
    expect(parseBasePath(' /apps/helpr-1.x_~ ', undefined)).toBe('/apps/helpr-1.x_~');
    expect(parseBasePath('/', undefined)).toBe('');
    expect(parseBasePath('', undefined)).toBe('');
    expect(parseBasePath(undefined, undefined)).toBe('');
    expect(parseBasePath(undefined, 'https://example.com')).toBe('');
    expect(parseBasePath(undefined, 'https://example.com/helpr')).toBe('/helpr');
    expect(parseBasePath('/helpr', 'https://example.com/helpr')).toBe('/helpr');
  });

  it('refuses what a path of a site cannot be, and a BASE_URL under another path, naming the variables', () => {
    for (const bad of ['/a b', '/helpr?x=1', '/helpr#top', '//helpr', '/../admin', '/helpr/./x', '/ü']) expect(() => parseBasePath(bad, undefined), bad).toThrow(/: BASE_PATH must be a path like \/helpr/);
    expect(() => parseBasePath('/helpr', 'https://example.com/invite')).toThrow('BASE_PATH is "/helpr" but BASE_URL (https://example.com/invite) is under "/invite": make them the same, or leave BASE_PATH out');
    expect(() => parseBasePath('/helpr', 'https://example.com')).toThrow('is under "/"');
    expect(() => parseBasePath('', 'https://example.com/helpr')).toThrow('BASE_PATH is "/" but BASE_URL');
    expect(() => parseBasePath(undefined, 'https://example.com/a%20b')).toThrow(/: BASE_URL has a path Helpr cannot serve under/);
  });

  it('comes off a request’s path before routing, whether or not the proxy took it off already', () => {
    expect(stripBasePath('/helpr', '/helpr')).toBe('/');
    expect(stripBasePath('/helpr', '/helpr/')).toBe('/');
    expect(stripBasePath('/helpr', '/helpr?next=1')).toBe('/?next=1');
    expect(stripBasePath('/helpr', '/helpr/admin/codes?page=2')).toBe('/admin/codes?page=2');
    expect(stripBasePath('/helpr', '/admin/codes')).toBe('/admin/codes');
    expect(stripBasePath('/helpr', '/helprx/admin')).toBe('/helprx/admin');
    expect(stripBasePath('', '/helpr/admin')).toBe('/helpr/admin');
  });

  it('goes before every site path Helpr hands out, and nothing else', () => {
    expect(withBase('/helpr', '/admin')).toBe('/helpr/admin');
    expect(withBase('/helpr', 'https://plex.tv/x')).toBe('https://plex.tv/x');
    expect(withBase('/helpr', '//cdn.example/x')).toBe('//cdn.example/x');
    expect(withBase('/helpr', 'relative')).toBe('relative');
    expect(withBase('', '/admin')).toBe('/admin');
    const page = '<a href="/admin">A</a><form action="/join-with-plex"><button formaction="/admin/x"></button></form><script src="/static/js/a.js?v=1"></script><section data-status-url="/requests/1/status"></section><a href="https://plex.tv/">P</a><a href="//x.example/">X</a><a href="#top">T</a><p>href="/not-an-attribute"</p><input name="back" value="/admin">';
    expect(prefixPage('/helpr', page)).toBe(
      '<a href="/helpr/admin">A</a><form action="/helpr/join-with-plex"><button formaction="/helpr/admin/x"></button></form><script src="/helpr/static/js/a.js?v=1"></script><section data-status-url="/helpr/requests/1/status"></section><a href="https://plex.tv/">P</a><a href="//x.example/">X</a><a href="#top">T</a><p>href="/not-an-attribute"</p><input name="back" value="/admin">',
    );
    expect(prefixPage('', page)).toBe(page);
  });

  it('keeps the path of the address links are built on', () => {
    expect(linkOn('https://example.com/helpr', '/requests/1')).toBe('https://example.com/helpr/requests/1');
    expect(linkOn('https://example.com/helpr/', '/requests/1')).toBe('https://example.com/helpr/requests/1');
    expect(linkOn('https://invite.example.com', '/admin')).toBe('https://invite.example.com/admin');
  });
});
