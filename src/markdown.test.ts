import { describe, expect, it } from 'vitest';
import { MARKDOWN_MAX, renderMarkdown } from './markdown.js';

describe('renderMarkdown (the owner guide and house rules on friends pages)', () => {
  it('renders headings, lists, emphasis and http(s)/mailto links, opening in a new tab', () => {
    const html = renderMarkdown('## Watch\n\n1. Get **Plex** at [plex.tv](https://www.plex.tv/)\n2. Ask [me](mailto:owner@example.com)\n');
    expect(html).toContain('<h2>Watch</h2>');
    expect(html).toContain('<ol>');
    expect(html).toContain('<strong>Plex</strong>');
    expect(html).toContain('<a href="https://www.plex.tv/" target="_blank" rel="noopener noreferrer">plex.tv</a>');
    expect(html).toContain('<a href="mailto:owner@example.com" target="_blank" rel="noopener noreferrer">me</a>');
  });

  it('escapes raw HTML instead of passing it through', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> <b>there</b>');
    expect(html).not.toMatch(/<script|<img|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it.each([
    ['javascript:', '[click](javascript:alert(1))'],
    ['JavaScript: with odd case', '[click](JaVaScRiPt:alert(1))'],
    ['javascript: as an autolink', '<javascript:alert(1)>'],
    ['data:', '[click](data:text/html;base64,PHNjcmlwdD4=)'],
    ['vbscript:', '[click](vbscript:msgbox)'],
    ['a relative path', '[click](/admin)'],
    ['a reference definition', '[click][x]\n\n[x]: javascript:alert(1)'],
  ])('makes no link of %s', (_name, text) => {
    const html = renderMarkdown(text);
    expect(html).not.toContain('<a ');
    expect(html).not.toMatch(/href=/);
  });

  it('turns bare web addresses into links, but not javascript: text', () => {
    expect(renderMarkdown('Open https://app.plex.tv now')).toContain('<a href="https://app.plex.tv" target="_blank" rel="noopener noreferrer">https://app.plex.tv</a>');
    expect(renderMarkdown('javascript:alert(1)')).not.toContain('<a ');
  });

  it('shows no images (other sites images are blocked by the page policy anyway)', () => {
    const html = renderMarkdown('![logo](https://example.com/logo.png)');
    expect(html).not.toContain('<img');
  });

  it('renders at most MARKDOWN_MAX characters', () => {
    const html = renderMarkdown('a'.repeat(MARKDOWN_MAX) + 'bbbb');
    expect(html).not.toContain('b');
  });
});
