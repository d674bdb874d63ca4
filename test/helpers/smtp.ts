import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll } from 'vitest';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message: headers, then the body (quoted-printable lines joined by `bodyText`). */
  data: string;
}

/** The user and password the local SMTP server accepts when a test signs in. */
export const SMTP_USER = { user: 'helpr', password: 'smtp-pass' };

/**
 * A local SMTP server for a test file (tests have no internet): plain SMTP on 127.0.0.1, signing in
 * optional (and checked against SMTP_USER when tried), every message kept in `mails`.
 */
export function useSmtpServer() {
  const holder = { port: 0, mails: [] as ReceivedMail[] };
  let smtp: SMTPServer;
  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (auth, _session, callback) => (auth.username === SMTP_USER.user && auth.password === SMTP_USER.password ? callback(null, { user: auth.username }) : callback(new Error('Invalid username or password'))),
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          holder.mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    holder.port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));
  return holder;
}

/** A message's raw text with quoted-printable soft line breaks joined (what a reader sees, near enough). */
export const bodyText = (mail: ReceivedMail): string => mail.data.replace(/=\r?\n/g, '');
