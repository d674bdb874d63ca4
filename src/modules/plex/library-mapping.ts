import type { PlexLibrary } from '../../plex/plex-tv.client.js';

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
  let cached: PlexLibrary[] | undefined;
  let loading: Promise<PlexLibrary[]> | undefined;

  function fetchOnce(): Promise<PlexLibrary[]> {
    loading ??= load().then(
      (libraries) => {
        cached = libraries;
        loading = undefined;
        return libraries;
      },
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  }

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
    libraries: (): Promise<PlexLibrary[]> => (cached ? Promise.resolve(cached) : fetchOnce()),

    async resolve(wanted: string[]): Promise<ResolvedLibraries> {
      const wasWarm = cached !== undefined;
      const result = resolveIn(cached ?? (await fetchOnce()), wanted);
      if (result.missing.length === 0 || !wasWarm) return result;
      return resolveIn(await fetchOnce(), wanted);
    },

    /** Forget the cache (the admin changed the selection or the server, or asked for a refresh). */
    invalidate(): void {
      cached = undefined;
    },

    get warm(): boolean {
      return cached !== undefined;
    },
  };
}

export type LibraryMapping = ReturnType<typeof createLibraryMapping>;
