import { describe, expect, it } from 'vitest';
import { parseXml } from './sim-test-kit.js';
import { escapeXml, objectToXml, renderXml } from './xml.js';

describe('xml writer', () => {
  it('escapes attribute values so any text survives a round trip', () => {
    const title = `Kids & "Family" <4K>\nline two\tand 'quotes'`;
    const xml = renderXml({ name: 'Section', attrs: { title } });
    expect(parseXml(xml).Section[0].title).toBe(title);
    expect(escapeXml(`a&b"c<d>`)).toBe('a&amp;b&quot;c&lt;d&gt;');
  });

  it('writes booleans as 1/0, leaves out null and self-closes empty elements', () => {
    const xml = renderXml({ name: 'pin', attrs: { trusted: false, home: true, authToken: null, id: 7 } });
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<pin trusted="0" home="1" id="7"/>\n');
  });

  it('maps v2 JSON to Plex XML: nested objects as children, lists wrapped and singularised', () => {
    const node = objectToXml('user', { id: 1, subscription: { active: true, features: ['a'] }, libraries: [{ id: 2 }] });
    const xml = renderXml(node);
    expect(xml).toContain('<user id="1">');
    expect(xml).toContain('<features>\n      <feature id="a"/>');
    expect(xml).toContain('<libraries>\n    <library id="2"/>');
  });
});
