import type { FastifyRequest } from 'fastify';
import { joinPath, type InviteCodeView } from './invite-codes.models.js';

export type InviteCodeWithLink = InviteCodeView & { link: string };

/**
 * Where friends reach this Helpr: BASE_URL when set (behind a proxy the request may not know its
 * public name), otherwise the address this request came in on.
 */
export function publicBaseUrl(request: FastifyRequest, baseUrl: string | undefined): string {
  return baseUrl ?? `${request.protocol}://${request.host}`;
}

export const withLink = (code: InviteCodeView, base: string): InviteCodeWithLink => ({ ...code, link: `${base}${joinPath(code.code)}` });
