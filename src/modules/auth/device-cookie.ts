import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A device cookie (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser
 * that once signed in as a username carries a signed cookie binding it to that username, so its
 * attempts skip the slow-down an attack on the username causes (they are limited per device
 * instead). Only the sign-in form ever needs it, so it is sent nowhere else.
 */
export const DEVICE_COOKIE = 'helpr_device';
export const DEVICE_COOKIE_PATH = '/admin/login';
/** Long-lived: the owner's usual browser should still be known after months without signing in. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 60 * 60;

export interface Device {
  /** Normalized username this browser signed in as. */
  username: string;
  /** Random, new on every sign-in: what the per-device failure limit counts under. */
  nonce: string;
}

const NONCE = /^[A-Za-z0-9_-]{22}$/;

export function newDevice(username: string): Device {
  return { username, nonce: crypto.randomBytes(16).toString('base64url') };
}

/** The device this browser proved with its signed cookie; undefined when absent, unsigned or forged. */
export function deviceOf(request: FastifyRequest): Device | undefined {
  const raw = request.cookies[DEVICE_COOKIE];
  if (!raw) return undefined;
  const { valid, value } = request.unsignCookie(raw);
  if (!valid || !value) return undefined;
  // The nonce is base64url (no ":"); the username is everything after the first ":".
  const at = value.indexOf(':');
  const device = { nonce: value.slice(0, at), username: value.slice(at + 1) };
  return at > 0 && NONCE.test(device.nonce) && device.username ? device : undefined;
}

/** Remembers the device; `basePath` (BASE_PATH) puts the cookie where the browser sees the sign-in page. */
export function rememberDevice(request: FastifyRequest, reply: FastifyReply, device: Device, basePath = ''): void {
  reply.setCookie(DEVICE_COOKIE, `${device.nonce}:${device.username}`, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure: request.protocol === 'https',
    path: `${basePath}${DEVICE_COOKIE_PATH}`,
    maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
  });
}
