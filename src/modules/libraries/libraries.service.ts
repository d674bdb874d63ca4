import { AppError, isAppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import type { PlexLibrary } from '../../plex/plex-tv.client.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { tokenHint } from '../plex/diagnostics.steps.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import type { SettingsService } from '../settings/settings.service.js';

export interface LibraryChoice extends PlexLibrary {
  selected: boolean;
}

export interface LibraryOverview {
  libraries: LibraryChoice[];
  /** Selected keys (or titles) the server no longer has: flagged, never silently dropped. */
  missing: string[];
}

/** For pages that must show something even when Plex cannot be asked. */
export interface LibraryState extends LibraryOverview {
  /** The saved selection, known without Plex. */
  selected: string[];
  /** Why the server's libraries could not be read (then `libraries` and `missing` are empty). */
  unavailable?: string;
}

/** A sentence for the admin when the libraries cannot be read; undefined for errors that are bugs. */
function unavailableReason(error: unknown): string | undefined {
  if (isPlexError(error)) return `Helpr could not get the libraries from Plex. ${tokenHint(error)}`;
  if (isAppError(error) && error.code.startsWith('plex.') && error.expose) return error.message;
  return undefined;
}

/**
 * Waits for `work` at most `ms`, then gives up with a 'plex.slow' error the page shows. The work
 * itself goes on: the library list it brings is cached for the next page.
 */
function withinPageWait<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const seconds = ms >= 1000 ? `${Math.round(ms / 1000)} seconds` : `${ms} ms`;
      reject(new AppError('plex.slow', `Plex has not answered within ${seconds}. It is still being asked: try again in a moment.`, { status: 503, expose: true }));
    }, ms);
  });
  work.catch(() => undefined); // a failure after the page gave up is not an unhandled rejection
  return Promise.race([work, slow]).finally(() => clearTimeout(timer));
}

const matches = (library: PlexLibrary, wanted: string) => library.key === wanted || library.title.toLowerCase() === wanted.toLowerCase();

/** How long a page waits for the server's libraries before showing the saved selection alone. */
export const PAGE_WAIT_MS = 4000;

/** Which of the server's libraries new friends get. */
export function createLibrariesService(deps: { mapping: LibraryMapping; settings: SettingsService; audit: AuditService; pageWaitMs?: number }) {
  const pageWaitMs = deps.pageWaitMs ?? PAGE_WAIT_MS;
  return {
    async overview(options: { refresh?: boolean } = {}): Promise<LibraryOverview> {
      if (options.refresh) deps.mapping.invalidate();
      const [libraries, settings] = await Promise.all([deps.mapping.libraries(), deps.settings.get()]);
      return {
        libraries: libraries.map((library) => ({ ...library, selected: settings.libraries.some((wanted) => matches(library, wanted)) })),
        missing: settings.libraries.filter((wanted) => !libraries.some((library) => matches(library, wanted))),
      };
    },

    /**
     * The overview, or (when Plex cannot be reached, is not connected or is slow to answer) the saved
     * selection and why. For pages it waits for Plex at most `pageWaitMs`; `patient` (the JSON API,
     * whose callers would rather have the list) waits as long as the Plex call's own timeout.
     */
    async state(options: { refresh?: boolean; patient?: boolean } = {}): Promise<LibraryState> {
      try {
        const reading = this.overview(options);
        const overview = await (options.patient ? reading : withinPageWait(reading, pageWaitMs));
        return { ...overview, selected: (await deps.settings.get()).libraries };
      } catch (error) {
        const reason = unavailableReason(error);
        if (reason === undefined) throw error;
        return { libraries: [], missing: [], selected: (await deps.settings.get()).libraries, unavailable: reason };
      }
    },

    /** Saves the selection (local keys); every key must exist on the server right now. */
    async select(keys: string[], actor: AuditActor): Promise<LibraryOverview> {
      deps.mapping.invalidate();
      const libraries = await deps.mapping.libraries();
      const unique = [...new Set(keys.map((key) => key.trim()).filter(Boolean))];
      const unknown = unique.filter((key) => !libraries.some((library) => library.key === key));
      if (unknown.length) {
        throw new AppError('libraries.unknown', `The server has no library with key ${unknown.join(', ')}.`, { fields: { selected: `Unknown library key: ${unknown.join(', ')}` } });
      }
      await deps.settings.update({ libraries: unique });
      await deps.audit.record(actor, 'libraries.update', null, { selected: unique });
      return this.overview();
    },
  };
}

export type LibrariesService = ReturnType<typeof createLibrariesService>;
