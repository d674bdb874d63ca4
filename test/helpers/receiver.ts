import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Db } from '../../src/db/database.js';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A local HTTP receiver for webhooks and chat services (tests have no internet): records each
 * request and answers with `answer` (204 by default; a test may make it fail, hang, or redirect).
 */
export async function startReceiver(options: { port?: number } = {}) {
  const state = {
    received: [] as Received[],
    answer: ((_req, res) => res.writeHead(204).end()) as (req: Received, res: http.ServerResponse) => void,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      state.received.push(entry);
      state.answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    reset() {
      state.received = [];
      state.answer = (_req, res) => res.writeHead(204).end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A receiver for a test file of notifications: started before its tests, closed after; before each
 * test it is emptied and the app's channels, events and deliveries (`db`) removed.
 */
export function useReceiver(db: () => Db) {
  const holder = {} as { receiver: Awaited<ReturnType<typeof startReceiver>> };
  beforeAll(async () => {
    holder.receiver = await startReceiver();
  });
  beforeEach(async () => {
    holder.receiver.reset();
    await clearNotifications(db());
  });
  afterAll(() => holder.receiver.close());
  return holder;
}

/** Removes every channel, event and delivery (each test of a file starts with none). */
export async function clearNotifications(db: Db): Promise<void> {
  await db.deleteFrom('notification_deliveries').execute();
  await db.deleteFrom('notification_events').execute();
  await db.deleteFrom('notification_channels').execute();
}
