import type { ActionResult, BulkResult } from './user-actions.service.js';
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

const DONE: Record<string, (name: string) => string> = {
  remove: (name) => `${name}'s access was removed in Plex.`,
  expire: (name) => `${name}'s access ended and was removed in Plex.`,
  libraries: (name) => `${name}'s libraries were changed in Plex. They keep their share: nothing for them to accept.`,
  resend: (name) => `A new invite was sent to ${name}; the old one was cancelled. They accept it in Plex (an email from Plex, or in their Plex app).`,
  restore: (name) => `${name} was invited again. They have access again once they accept the invite in Plex.`,
};

/** What an action on someone's access came to, in the owner's words. */
export function actionOutcomeMessage(result: ActionResult): { message: string; tone: 'success' | 'warning' | 'danger' } {
  const { action, user } = result;
  if (action.status === 'done') {
    if (action.kind === 'restore' && user.state === 'active') return { message: `${user.name} already had access in Plex; Helpr shows them active again.`, tone: 'success' };
    return { message: DONE[action.kind]!(user.name), tone: 'success' };
  }
  if (action.status === 'failed') return { message: `Plex refused this change for ${user.name}: ${action.error ?? 'no reason given'}`, tone: 'danger' };
  const why = action.error ? `Plex failed this time (${action.error}).` : 'Plex has not answered yet.';
  return { message: `${why} The change for ${user.name} is kept and carried out in the background: this page shows when it is done.`, tone: 'warning' };
}

/** What a bulk action did. */
export function bulkOutcomeMessage(kind: 'remove' | 'extend', result: BulkResult): { message: string; tone: 'success' | 'warning' } {
  const done = kind === 'remove' ? `Removing the access of ${people(result.changed)} (done in the background within a minute).` : `The end of access moved for ${people(result.changed)}.`;
  if (result.skipped.length === 0) return { message: done, tone: 'success' };
  const shown = result.skipped.slice(0, 5).map((skip) => `${skip.name} (${skip.reason})`).join(', ');
  const more = result.skipped.length > 5 ? ` and ${result.skipped.length - 5} more` : '';
  return { message: `${done} Left out: ${shown}${more}.`, tone: 'warning' };
}
