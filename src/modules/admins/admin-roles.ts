import type { AdminRole } from '../../db/schema.js';
import { AppError } from '../../errors.js';

export type { AdminRole };

/**
 * What an admin may do (issue 17). An owner does everything; a viewer reads the dashboards,
 * requests, users and logs and changes nothing but what is their own (signing out, their password).
 */
export const ADMIN_ROLES: readonly AdminRole[] = ['owner', 'viewer'];
export const isAdminRole = (value: unknown): value is AdminRole => (ADMIN_ROLES as readonly unknown[]).includes(value);

/** The role as given, or the refusal every form that takes one shows beside its field. */
export function checkRole(value: unknown): AdminRole {
  if (!isAdminRole(value)) throw new AppError('admin.invalid_role', 'Choose owner or viewer.', { fields: { role: 'Choose owner or viewer.' } });
  return value;
}

/** "an owner", "a viewer": the role in a sentence. */
export const roleInWords = (role: AdminRole): string => (role === 'owner' ? 'an owner' : 'a viewer');

export const ROLE_LABELS: Record<AdminRole, string> = {
  owner: 'Owner: everything',
  viewer: 'Viewer: looks, changes nothing',
};

/** The changing routes a viewer may use: only what is their own. */
export const VIEWER_MAY_CHANGE: ReadonlySet<string> = new Set(['/admin/logout', '/admin/settings/password', '/admin/sessions/:ref/revoke', '/admin/sessions/revoke-others']);

/** Whether an admin with `role` may send `method` to the route `routeUrl` (as registered, `:id` and all). */
export function roleAllows(role: AdminRole, method: string, routeUrl: string | undefined): boolean {
  if (role === 'owner' || method === 'GET' || method === 'HEAD') return true;
  return routeUrl !== undefined && VIEWER_MAY_CHANGE.has(routeUrl);
}
