import nodemailer from 'nodemailer';
import { DeliveryError, NOTIFY_TIMEOUT_MS } from './notification-http.js';

export const TLS_MODES = ['starttls', 'tls', 'none'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** An SMTP server and who the messages are from and to (the password is the channel's secret). */
export interface EmailConfig {
  host: string;
  port: number;
  /** starttls: upgrade on 587 (required); tls: TLS from the start (465); none: plain (a local relay). */
  tls: TlsMode;
  user?: string;
  from: string;
  to: string;
}

export interface EmailMessage {
  subject: string;
  text: string;
  /** A link shown as a button under the text. */
  url?: string;
  linkLabel?: string;
  /** The sender's name ("Plex invites (owner)"), before the from address. */
  fromName?: string;
  /** Another recipient than the channel's (a friend's email). */
  to?: string;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A plain, readable HTML version of the text: paragraphs, and the link as a button. */
export function emailHtml(message: EmailMessage): string {
  const paragraphs = message.text
    .split(/\n{2,}/)
    .map((paragraph) => `<p style="margin:0 0 12px">${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
  const link = message.url
    ? `<p style="margin:16px 0"><a href="${escapeHtml(message.url)}" style="background:#cc7b19;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none">${escapeHtml(message.linkLabel ?? 'Open')}</a></p>`
    : '';
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:16px;line-height:1.5;color:#212529"><h2 style="font-size:20px">${escapeHtml(message.subject)}</h2>${paragraphs}${link}</body></html>`;
}

/** SMTP failures in words: a refused password, a refused recipient (permanent), the connection. */
function smtpWords(error: unknown, host: string): DeliveryError {
  const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
  if (e.code === 'EAUTH') return new DeliveryError(`${host} refused the SMTP user or password.`, true);
  if (typeof e.responseCode === 'number') {
    const response = (e.response ?? e.message ?? '').slice(0, 200);
    // 5xx: the server refuses this message for good (an unknown recipient, a sender not allowed).
    return new DeliveryError(`${host} refused the message (${e.responseCode}): ${response}`, e.responseCode >= 500);
  }
  if (e.code === 'ETIMEDOUT') return new DeliveryError(`${host} did not answer within ${NOTIFY_TIMEOUT_MS / 1000} s.`);
  if (e.code === 'EDNS' || /ENOTFOUND|EAI_AGAIN/.test(e.message ?? '')) return new DeliveryError(`DNS: ${host} was not found; check the SMTP server's name.`);
  if (/ECONNREFUSED/.test(e.message ?? '')) return new DeliveryError(`${host} refused the connection; check the SMTP server and port.`);
  if (/certificate|TLS|SSL/i.test(e.message ?? '')) return new DeliveryError(`TLS error with ${host}: ${(e.message ?? '').slice(0, 150)}`);
  return new DeliveryError(`Could not send through ${host}: ${(e.message ?? String(error)).slice(0, 200)}`);
}

/** Sends one email (plain text and HTML) through the channel's SMTP server. */
export async function sendEmail(config: EmailConfig, password: string | null, message: EmailMessage, options: { tlsCa?: string } = {}): Promise<void> {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.tls === 'tls',
    requireTLS: config.tls === 'starttls',
    ignoreTLS: config.tls === 'none',
    auth: config.user ? { user: config.user, pass: password ?? '' } : undefined,
    connectionTimeout: NOTIFY_TIMEOUT_MS,
    greetingTimeout: NOTIFY_TIMEOUT_MS,
    socketTimeout: NOTIFY_TIMEOUT_MS,
    tls: options.tlsCa ? { ca: options.tlsCa } : undefined,
  });
  try {
    await transport.sendMail({
      from: message.fromName ? { name: message.fromName, address: config.from } : config.from,
      to: message.to ?? config.to,
      subject: message.subject,
      text: message.url ? `${message.text}\n\n${message.linkLabel ?? 'Open'}: ${message.url}` : message.text,
      html: emailHtml(message),
    });
  } catch (error) {
    throw smtpWords(error, `${config.host}:${config.port}`);
  } finally {
    transport.close();
  }
}
