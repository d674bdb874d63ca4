import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { logDestination, loggerOptions } from './logger.js';

const TTY = { isTTY: true };
const PIPE = { isTTY: false };

/** LOG_FORMAT: JSON for services and containers, readable lines in a terminal (pino-pretty, a development dependency). */
describe('log format', () => {
  it('logs JSON unless asked for readable lines or run in a terminal', async () => {
    expect(await logDestination({ logFormat: 'auto' }, { stdout: PIPE })).toEqual({ stream: undefined, missing: false });
    expect(await logDestination({ logFormat: 'json' }, { stdout: TTY })).toEqual({ stream: undefined, missing: false });
    expect((await logDestination({ logFormat: 'auto' }, { stdout: TTY })).stream).toBeDefined();
    expect((await logDestination({ logFormat: 'pretty' }, { stdout: PIPE })).stream).toBeDefined();
  });

  it('writes readable lines: the time, the level and the message, with the fields after', async () => {
    const chunks: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk.toString()), done()) });
    const { stream } = await logDestination({ logFormat: 'pretty' }, { stdout: PIPE, destination: sink });
    const logger = pino(loggerOptions({ logLevel: 'info' }) as object, stream!);
    logger.info({ invitation: 'abc', plex: { token: 'secret' } }, 'invite sent');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = chunks.join('');
    expect(text).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] INFO: invite sent\n/);
    expect(text).toContain('invitation: "abc"');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('secret');
    // No colors when the output is not a terminal.
    expect(text).not.toContain('\u001b[');
  });

  it('falls back to JSON when pino-pretty is not installed (a production install), saying it was asked for', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'pino-pretty'"));
    expect(await logDestination({ logFormat: 'pretty' }, { stdout: TTY, load: missing })).toEqual({ stream: undefined, missing: true });
    expect(await logDestination({ logFormat: 'auto' }, { stdout: TTY, load: missing })).toEqual({ stream: undefined, missing: true });
  });
});
