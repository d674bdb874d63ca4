import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { announceStartup, plainNotice, startupNotice } from './startup-notice.js';

describe('startup notice', () => {
  it('says where Helpr listens, where to finish setup, and warns without BASE_URL', () => {
    expect(startupNotice({ host: '0.0.0.0', baseUrl: undefined }, 8080, true)).toEqual([
      { level: 'info', message: 'Helpr is listening on http://localhost:8080 (and on every other address of this machine)' },
      { level: 'info', message: 'Setup is not finished: open http://localhost:8080/admin to finish setup' },
      { level: 'warn', message: 'No public address is set: invite links use the address each request reached (or the name a trusted proxy forwarded). Set it in Settings > Public address, or set BASE_URL (https://invite.example.com).' },
    ]);
  });

  it('points at BASE_URL for setup, and says nothing more once set up', () => {
    expect(startupNotice({ host: '127.0.0.1', baseUrl: 'https://invite.example.com' }, 3000, true).map((line) => line.message)).toEqual([
      'Helpr is listening on http://127.0.0.1:3000',
      'Setup is not finished: open https://invite.example.com/admin to finish setup',
    ]);
    expect(startupNotice({ host: '::1', baseUrl: 'https://invite.example.com' }, 3000, false).map((line) => line.message)).toEqual(['Helpr is listening on http://[::1]:3000']);
    expect(startupNotice({ host: '127.0.0.1', baseUrl: undefined, basePath: '/helpr' }, 3000, true).map((line) => line.message).slice(0, 2)).toEqual(['Helpr is listening on http://127.0.0.1:3000/helpr', 'Setup is not finished: open http://127.0.0.1:3000/helpr/admin to finish setup']);
  });

  it('does not warn when the owner saved a public address in Settings; BASE_URL still wins', () => {
    expect(startupNotice({ host: '127.0.0.1', baseUrl: undefined }, 3000, false, 'https://plex.example.org').map((line) => line)).toEqual([
      { level: 'info', message: 'Helpr is listening on http://127.0.0.1:3000' },
      { level: 'info', message: 'Invite links use the public address set in Settings: https://plex.example.org' },
    ]);
    expect(startupNotice({ host: '127.0.0.1', baseUrl: 'https://invite.example.com' }, 3000, false, 'https://plex.example.org').map((line) => line.message)).toEqual([
      'Helpr is listening on http://127.0.0.1:3000',
    ]);
  });

  it('prints plain lines for a person, besides the JSON log lines for machines', () => {
    const notice = startupNotice({ host: '127.0.0.1', baseUrl: undefined }, 3000, true);
    const logged: string[] = [];
    const log = new Writable({
      write(chunk, _encoding, done) {
        logged.push(String(chunk));
        done();
      },
    });
    let printed = '';
    announceStartup(pino(log), notice, { write: (text: string) => (printed += text) });
    expect(printed).toBe(plainNotice(notice));
    expect(printed.split('\n')).toEqual([
      'Helpr is listening on http://127.0.0.1:3000',
      'Setup is not finished: open http://127.0.0.1:3000/admin to finish setup',
      'Warning: No public address is set: invite links use the address each request reached (or the name a trusted proxy forwarded). Set it in Settings > Public address, or set BASE_URL (https://invite.example.com).',
      '',
    ]);
    expect(logged.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(notice.map((line) => line.message));
  });
});
