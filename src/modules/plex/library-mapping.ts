import { AppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import type { PlexLibrary } from '../../plex/plex-tv.client.js';
import { createCachedValue } from '../settings/cached-value.js';

/** Libraries asked for that the server no longer has: nothing is sent until the admin chooses again. */
export class LibrariesMissingError extends AppError {
  constructor(readonly missing: string[]) {
    super('plex.library_missing', `The server no longer has ${missing.length === 1 ? 'library' : 'libraries'} ${missing.join(', ')}: choose the libraries again.`, {
      status: 409,
      expose: false,
    });
  }
}

// Plex refusing our section ids means the cache is stale (a library was removed or re-created).
const isStaleLibraryError = (error: unknown): boolean =>
  isPlexError(error) && error.kind === 'rejected' && /librar|section/i.test(error.message);

export interface ResolvedLibraries {
  /** The libraries found, in the order asked for. */
  libraries: PlexLibrary[];
  /** What was asked for but does not exist on the server (any more). */
  missing: string[];
}

const matches = (library: PlexLibrary, wanted: string) =>
  library.key === wanted || library.title.toLowerCase() === wanted.toLowerCase();

/**
 * Local library keys (or titles) to plex.tv's global section ids, cached in memory: once warm, an
 * invite costs no extra request. A key that is not found triggers one fresh read (the library may
 * be new); if it is still absent it is reported as missing, never dropped or guessed.
 */
export function createLibraryMapping(load: () => Promise<PlexLibrary[]>) {
  // Kept until invalidate(); a read begun before it (with the old token or server) is not kept.
  const cache = createCachedValue(load);

  const resolveIn = (libraries: PlexLibrary[], wanted: string[]): ResolvedLibraries => {
    const found: PlexLibrary[] = [];
    const missing: string[] = [];
    for (const key of wanted) {
      const library = libraries.find((l) => matches(l, key));
      if (library) found.push(library);
      else missing.push(key);
    }
    return { libraries: found, missing };
  };

  return {
    /** Every library of the server, from the cache when warm. */
    libraries: cache.get,

    async resolve(wanted: string[]): Promise<ResolvedLibraries> {
      const warm = cache.peek();
      const result = resolveIn(warm ?? (await cache.refresh()), wanted);
      if (result.missing.length === 0 || !warm) return result;
      return resolveIn(await cache.refresh(), wanted);
    },

    /**
     * Resolves the libraries and hands their ids to `send` (one plex.tv request when warm). If Plex
     * refuses the ids as unknown, the cache was stale: read once more and send again, or report the
     * missing libraries. A library is never silently left out.
     */
    async useLibraries<T>(wanted: string[], send: (libraries: PlexLibrary[]) => Promise<T>): Promise<T> {
      const first = await this.resolve(wanted);
      if (first.missing.length) throw new LibrariesMissingError(first.missing);
      try {
        return await send(first.libraries);
      } catch (error) {
        if (!isStaleLibraryError(error)) throw error;
        this.invalidate();
        const again = resolveIn(await cache.refresh(), wanted);
        if (again.missing.length) throw new LibrariesMissingError(again.missing);
        return send(again.libraries);
      }
    },

    /** Forget the cache (the admin changed the selection or the server, or asked for a refresh). */
    invalidate: cache.clear,

    get warm(): boolean {
      return cache.peek() !== undefined;
    },
  };
}

export type LibraryMapping = ReturnType<typeof createLibraryMapping>;
