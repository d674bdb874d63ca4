import type { SyncOutcome } from './users-sync.js';

const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);

/** What "Sync now" tells the owner: what changed, or why nothing did. */
export function syncOutcomeMessage(result: SyncOutcome): { message: string; tone: 'success' | 'warning' | 'danger' } {
  if (result.outcome === 'busy') return { message: 'Another sync is still running. Look again in a minute.', tone: 'warning' };
  if (result.outcome === 'warning') return { message: result.status.warning?.message ?? 'The sync changed nothing.', tone: 'danger' };
  const changed = result.status.changed;
  const parts = changed
    ? [
        changed.found > 0 && `${people(changed.found)} found`,
        changed.accepted > 0 && `${people(changed.accepted)} accepted their invite`,
        changed.back > 0 && `${people(changed.back)} shared again in Plex`,
        changed.removed > 0 && `${people(changed.removed)} no longer in Plex (removed)`,
        changed.libraries > 0 && `libraries changed for ${people(changed.libraries)}`,
      ].filter(Boolean)
    : [];
  return { message: parts.length > 0 ? `Synced with Plex: ${parts.join(', ')}.` : 'Synced with Plex: nothing changed.', tone: 'success' };
}
