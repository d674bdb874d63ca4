import { describe, expect, it, vi } from 'vitest';
import type { AuditService } from '../audit/audit.service.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import { createInviteCodesAdmin } from './invite-codes.admin.js';
import type { InviteCodesService } from './invite-codes.service.js';

describe('creating a code with a library override', () => {
  it('lets an error that is not from Plex through as it is, not as "Plex is unavailable", and makes no code', async () => {
    const broken = new Error('database is locked');
    const createCode = vi.fn();
    const admin = createInviteCodesAdmin({
      codes: { createCode } as unknown as InviteCodesService,
      audit: { record: vi.fn() } as unknown as AuditService,
      mapping: { resolve: () => Promise.reject(broken) } as unknown as LibraryMapping,
    });
    await expect(admin.create({ libraries: ['1'] }, { name: 'owner', type: 'admin', ip: null })).rejects.toBe(broken);
    expect(createCode).not.toHaveBeenCalled();
  });
});
