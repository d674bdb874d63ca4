import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

const REQUEST_TIMEOUT_MS = 600;
const HEADERS_TIMEOUT_MS = 300;
/** The limit, plus Node's check interval (half the shorter limit), plus room for a busy machine. */
const SLACK_MS = 1000;

interface SlowClient {
  /** Everything the server wrote back. */
  answer: Promise<{ text: string; ms: number }>;
}

/**
 * A raw connection that sends `head` at once, then `drip` one byte every 100 ms (a slowloris
 * client), and records what the server answers and when it closes the connection. It gives up
 * after `giveUpMs`, so a server without limits fails the test instead of hanging it.
 */
function slowClient(port: number, head: string, drip: string, giveUpMs = REQUEST_TIMEOUT_MS + SLACK_MS + 500): SlowClient {
  const socket = net.connect(port, '127.0.0.1');
  const started = Date.now();
  let text = '';
  let sent = 0;
  socket.write(head);
  const timer = setInterval(() => {
    if (sent < drip.length && socket.writable) socket.write(drip[sent++]!);
  }, 100);
  const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
  socket.on('data', (chunk) => (text += chunk.toString()));
  const answer = new Promise<{ text: string; ms: number }>((resolve) => {
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ text, ms: Date.now() - started });
    });
    socket.on('error', () => undefined);
  });
  return { answer };
}

describe('request and header timeouts on a listening server', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(() => t.close());

  it('answers 408 and closes a connection whose body comes one byte at a time', async () => {
    // Without a limit this 200-byte body would take 20 s; a byte every 15 s, almost an hour.
    const client = slowClient(port, `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 200\r\n\r\n`, 'e'.repeat(200));
    const { text, ms } = await client.answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
  });

  it('answers 408 and closes a connection whose headers never end', async () => {
    const client = slowClient(port, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', `X-Slow: ${'a'.repeat(200)}`);
    const { text, ms } = await client.answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
  });

  it('still serves requests that arrive in time, and keeps serving after cutting slow ones', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
