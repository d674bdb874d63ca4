import { XMLParser } from 'fast-xml-parser';
import { PlexError } from './plex.errors.js';

// Elements that are lists even when only one is present.
const LIST_ELEMENTS = new Set(['Server', 'Section', 'Device', 'Connection', 'User', 'SharedServer', 'Directory', 'error']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  isArray: (name) => LIST_ELEMENTS.has(name),
});

/** Parses a Plex XML answer; attributes become plain string properties. */
export function parsePlexXml(what: string, text: string): Record<string, unknown> {
  try {
    const parsed = parser.parse(text) as Record<string, unknown>;
    if (!parsed || typeof parsed !== 'object') throw new Error('empty document');
    return parsed;
  } catch (error) {
    throw new PlexError('upstream', `Plex sent XML that could not be read while ${what}`, { cause: error });
  }
}
