import type { Deps } from '../../deps.js';
import { formatTime } from '../../time-format.js';
import type { AuditNames } from './audit-words.js';
import type { AuditEntry } from './audit.service.js';

/**
 * The names one page of audit entries needs: invite codes (their label and whether they are still
 * there; the log keeps only their id), library titles (cached, or asked for briefly) and the server's name. A name that
 * cannot be found is left out; the entry then says so in words, never with the id.
 */
export async function auditNames(entries: AuditEntry[], services: Deps['services'], timeZone: string | undefined): Promise<AuditNames> {
  const codeIds = [...new Set(entries.filter((e) => e.action.startsWith('code.') && e.target).map((e) => e.target!))];
  const needsLibraries = entries.some((e) => e.action === 'libraries.update' || e.action === 'code.create');
  const [codes, libraries, state] = await Promise.all([
    Promise.all(codeIds.map(async (id) => [id, await services.codes.getCode(id).catch(() => undefined)] as const)),
    needsLibraries ? services.adminInvitations.libraryTitles() : Promise.resolve({}),
    services.plexConnection.state(),
  ]);
  return {
    codes: Object.fromEntries(codes.flatMap(([id, code]) => (code ? [[id, { label: code.label, createdAt: code.createdAt }]] : []))),
    libraries,
    server: state.serverId && state.serverName ? { id: state.serverId, name: state.serverName } : undefined,
    time: (iso) => formatTime(iso, timeZone),
  };
}
