import { describe, expect, it } from 'vitest';
import type { ActionResult } from './user-actions.service.js';
import { actionOutcomeMessage, bulkOutcomeMessage, syncOutcomeMessage } from './users.messages.js';
import type { UserView } from './users.models.js';

const status = (changed: { found: number; accepted: number; removed: number; libraries: number; back: number } | null) => ({ lastRunAt: 'x', lastSuccessAt: 'x', warning: null, changed });
const NONE = { found: 0, accepted: 0, removed: 0, libraries: 0, back: 0 };

describe('what Sync now tells the owner', () => {
  it('lists each kind of change, one or many, in a sentence', () => {
    expect(syncOutcomeMessage({ outcome: 'synced', status: status({ found: 1, accepted: 2, removed: 1, libraries: 3, back: 1 }) })).toEqual({
      message: 'Synced with Plex: 1 person found, 2 people accepted their invite, 1 person shared again in Plex, 1 person no longer in Plex (removed), libraries changed for 3 people.',
      tone: 'success',
    });
    expect(syncOutcomeMessage({ outcome: 'synced', status: status({ ...NONE, removed: 2 }) }).message).toBe('Synced with Plex: 2 people no longer in Plex (removed).');
    expect(syncOutcomeMessage({ outcome: 'synced', status: status(NONE) })).toEqual({ message: 'Synced with Plex: nothing changed.', tone: 'success' });
    expect(syncOutcomeMessage({ outcome: 'synced', status: status(null) }).message).toBe('Synced with Plex: nothing changed.');
  });

  it('says when another sync runs, and why one changed nothing', () => {
    expect(syncOutcomeMessage({ outcome: 'busy', status: undefined })).toEqual({ message: 'Another sync is still running. Look again in a minute.', tone: 'warning' });
    expect(syncOutcomeMessage({ outcome: 'warning', status: { ...status(null), warning: { kind: 'failed', message: 'Plex could not be asked.', at: 'x' } } })).toEqual({ message: 'Plex could not be asked.', tone: 'danger' });
    expect(syncOutcomeMessage({ outcome: 'warning', status: status(null) })).toEqual({ message: 'The sync changed nothing.', tone: 'danger' });
  });
});

describe('what an action on someone’s access came to', () => {
  const user = { name: 'alice', state: 'pending' } as UserView;
  const result = (kind: ActionResult['action']['kind'], actionStatus: 'pending' | 'done' | 'failed', error: string | null = null, patch: Partial<UserView> = {}): ActionResult =>
    ({ action: { kind, status: actionStatus, error }, user: { ...user, ...patch } }) as ActionResult;

  it('says what was done, in words for each kind', () => {
    expect(actionOutcomeMessage(result('remove', 'done'))).toEqual({ message: "alice's access was removed in Plex.", tone: 'success' });
    expect(actionOutcomeMessage(result('expire', 'done')).message).toBe("alice's access ended and was removed in Plex.");
    expect(actionOutcomeMessage(result('libraries', 'done')).message).toBe("alice's libraries were changed in Plex. They keep their share: nothing for them to accept.");
    expect(actionOutcomeMessage(result('resend', 'done')).message).toContain('A new invite was sent to alice; the old one was cancelled.');
    expect(actionOutcomeMessage(result('restore', 'done')).message).toBe('alice was invited again. They have access again once they accept the invite in Plex.');
    expect(actionOutcomeMessage(result('restore', 'done', null, { state: 'active' }))).toEqual({ message: 'alice already had access in Plex; Helpr shows them active again.', tone: 'success' });
  });

  it('says why Plex refused, or that the change goes on in the background', () => {
    expect(actionOutcomeMessage(result('remove', 'failed', 'not found'))).toEqual({ message: 'Plex refused this change for alice: not found', tone: 'danger' });
    expect(actionOutcomeMessage(result('remove', 'failed')).message).toBe('Plex refused this change for alice: no reason given');
    expect(actionOutcomeMessage(result('remove', 'pending', 'HTTP 503'))).toEqual({ message: 'Plex failed this time (HTTP 503). The change for alice is kept and carried out in the background: this page shows when it is done.', tone: 'warning' });
    expect(actionOutcomeMessage(result('remove', 'pending')).message).toBe('Plex has not answered yet. The change for alice is kept and carried out in the background: this page shows when it is done.');
  });

  it('tells a bulk action’s outcome, naming at most five left out', () => {
    expect(bulkOutcomeMessage('remove', { changed: 1, skipped: [] })).toEqual({ message: 'Removing the access of 1 person (done in the background within a minute).', tone: 'success' });
    expect(bulkOutcomeMessage('extend', { changed: 2, skipped: [] })).toEqual({ message: 'The end of access moved for 2 people.', tone: 'success' });
    const skipped = Array.from({ length: 7 }, (_, i) => ({ id: `u${i}`, name: `p${i}`, reason: 'no access' }));
    expect(bulkOutcomeMessage('extend', { changed: 0, skipped })).toEqual({
      message: 'The end of access moved for 0 people. Left out: p0 (no access), p1 (no access), p2 (no access), p3 (no access), p4 (no access) and 2 more.',
      tone: 'warning',
    });
    expect(bulkOutcomeMessage('remove', { changed: 3, skipped: skipped.slice(0, 1) }).message).toBe('Removing the access of 3 people (done in the background within a minute). Left out: p0 (no access).');
  });
});
