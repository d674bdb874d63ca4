import { describe, expect, it } from 'vitest';
import { auditWords, type AuditNames } from './audit-words.js';
import type { AuditEntry } from './audit.service.js';

const names: AuditNames = { codes: {}, libraries: {}, time: (iso) => iso };
const entry = (action: string, details: Record<string, unknown>): AuditEntry => ({
  id: '1',
  at: '2026-11-24T12:00:00.000Z',
  actor: 'owner',
  actorType: 'admin',
  action,
  target: 'alice',
  details,
  ip: null,
});

describe('audit words for invitations (issue 12)', () => {
  it('names accepted and sent apart in what became of an invitation', () => {
    expect(auditWords(entry('invitation.approve', { invitation: 'x', status: 'accepted' }), names, 'raw')).toEqual({ target: 'alice', summary: 'Now accepted.' });
    expect(auditWords(entry('invitation.retry', { invitation: 'x', status: 'sent' }), names, 'raw').summary).toBe('Now sent.');
    expect(auditWords(entry('invitation.create', { invitation: 'x', source: 'api', status: 'accepted' }), names, 'raw').summary).toBe('Through the API; now accepted.');
  });
});

describe('audit words for the users sync (issue 13)', () => {
  const titled: AuditNames = { ...names, libraries: { '1': 'Movies', '2': 'TV Shows' } };
  it('says how someone was found and what changed, with library titles', () => {
    expect(auditWords(entry('user.found', { state: 'active', source: 'plex', libraries: ['1'] }), titled, 'raw')).toEqual({ target: 'alice', summary: 'Access given in Plex itself; has access; libraries: Movies.' });
    expect(auditWords(entry('user.found', { state: 'pending', source: 'helpr', libraries: [] }), titled, 'raw').summary).toBe('Came through Helpr; invite not accepted yet; libraries: no library.');
    expect(auditWords(entry('user.libraries_changed', { from: ['1'], to: ['1', '2'] }), titled, 'raw').summary).toBe('From Movies to Movies, TV Shows.');
    expect(auditWords(entry('user.removed_in_plex', { from: 'active', userId: 'u1' }), titled, 'raw')).toEqual({ target: 'alice', summary: '' });
    expect(auditWords(entry('user.libraries_set', { from: ['1'], to: ['2'] }), titled, 'raw').summary).toBe('Now TV Shows; was Movies.');
    expect(auditWords(entry('user.expiry_set', { to: '2026-12-24T18:00:00.000Z' }), titled, 'raw').summary).toBe('Access ends 2026-12-24T18:00:00.000Z.');
    expect(auditWords(entry('user.expiry_set', { to: null }), titled, 'raw').summary).toBe('Access no longer ends.');
    expect(auditWords(entry('user.expired', { removedFromPlex: true }), titled, 'raw').summary).toBe('Removed on Plex.');
    expect(auditWords(entry('user.removed', { removedFromPlex: false }), titled, 'raw').summary).toBe('Plex had no share or invite for them any more.');
    expect(auditWords(entry('user.action_failed', { kind: 'remove', error: 'plex.tv answered 503' }), titled, 'raw').summary).toBe('Plex.tv answered 503.');
  });
});
