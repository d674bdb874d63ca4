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
