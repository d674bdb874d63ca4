import { unixSeconds } from './clock.js';
import type { Library, SimState } from './sim-state.js';
import type { XmlNode } from './xml.js';

/** PMS bodies: `{"MediaContainer":{…}}` in JSON, `<MediaContainer …>` in XML (plex-api.md E4). */
type Container = Record<string, unknown>;

/**
 * PMS XML differs from plex.tv v2: a list is repeated elements named after its key
 * (`Directory: [...]` becomes `<Directory/><Directory/>`), with no wrapper element.
 */
export function pmsXml(name: string, value: Container): XmlNode {
  const attrs: Record<string, string | number | boolean | null> = {};
  const children: XmlNode[] = [];
  for (const [key, field] of Object.entries(value)) {
    if (Array.isArray(field)) children.push(...field.map((item) => pmsXml(key, item as Container)));
    else if (typeof field === 'object' && field !== null) children.push(pmsXml(key, field as Container));
    else attrs[key] = field as string | number | boolean | null;
  }
  return { name, attrs, children };
}

const AGENTS: Record<Library['type'], { agent: string; scanner: string }> = {
  movie: { agent: 'tv.plex.agents.movie', scanner: 'Plex Movie' },
  show: { agent: 'tv.plex.agents.series', scanner: 'Plex TV Series' },
  artist: { agent: 'tv.plex.agents.music', scanner: 'Plex Music' },
  photo: { agent: 'com.plexapp.agents.none', scanner: 'Plex Photo Scanner' },
};

const sectionUuid = (lib: Library): string => `00000000-0000-4000-8000-${String(lib.id).padStart(12, '0')}`;

export function identityContainer(state: SimState): Container {
  return { size: 0, claimed: true, machineIdentifier: state.server.machineIdentifier, version: state.server.version };
}

export function rootContainer(state: SimState): Container {
  const owner = state.accounts.findById(state.server.ownerId);
  return {
    size: 0,
    allowSharing: true,
    allowSync: true,
    claimed: true,
    friendlyName: state.server.name,
    machineIdentifier: state.server.machineIdentifier,
    myPlex: true,
    myPlexSigninState: 'ok',
    myPlexUsername: owner?.email ?? '',
    platform: 'Linux',
    version: state.server.version,
  };
}

export function libraryContainer(): Container {
  return {
    size: 2,
    allowSync: false,
    identifier: 'com.plexapp.plugins.library',
    title1: 'Plex Library',
    Directory: [
      { key: 'sections', title: 'Library Sections' },
      { key: 'recentlyAdded', title: 'Recently Added Content' },
    ],
  };
}

export function sectionsContainer(state: SimState, libraries: Library[]): Container {
  const created = unixSeconds(state.server.createdAt);
  return {
    size: libraries.length,
    allowSync: false,
    title1: 'Plex Library',
    Directory: libraries.map((lib) => ({
      allowSync: true,
      key: String(lib.key),
      type: lib.type,
      title: lib.title,
      ...AGENTS[lib.type],
      language: 'en-US',
      uuid: sectionUuid(lib),
      updatedAt: created,
      createdAt: created,
      scannedAt: created,
      content: true,
      directory: true,
      hidden: 0,
      Location: [{ id: lib.key, path: `/data/${lib.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` }],
    })),
  };
}
