import { STATUS_CODES } from 'node:http';
import { constants as http2, type Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAppPage } from './app-auth.js';
import type { LoggedRequest, TrafficLog } from './traffic-log.js';
import { headersOfInterest } from './traffic-log.js';
import type { FaultSpec, SimTarget, TrafficRules } from './traffic-rules.js';

/** Control routes live under this prefix and are never delayed, faulted, logged or counted. */
export const CONTROL_PREFIX = '/__sim/';

export const pathOf = (url: string): string => url.split('?', 1)[0] ?? url;

function errorPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? ''}`;
  return `<html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`;
}

/** The HTTP/2 stream of a request, or undefined over HTTP/1.1 (Fastify types `raw` as HTTP/1.1). */
const h2StreamOf = (request: FastifyRequest) =>
  request.raw.httpVersionMajor === 2 ? (request.raw as unknown as Http2ServerRequest).stream : undefined;

function applyFault(fault: FaultSpec, request: FastifyRequest, reply: FastifyReply, sockets: ConnectionTracker): FastifyReply | undefined {
  switch (fault.kind) {
    case 'status':
    case 'rate-limit': {
      const status = fault.kind === 'rate-limit' ? 429 : (fault.status ?? 500);
      if (fault.kind === 'rate-limit') reply.header('Retry-After', String(fault.retryAfterSeconds ?? 1));
      return reply
        .code(status)
        .type(fault.contentType ?? 'text/html; charset=utf-8')
        .send(fault.body ?? errorPage(status));
    }
    case 'reset':
    case 'reset-connection': {
      const stream = h2StreamOf(request);
      // Over HTTP/2 'reset' fails this request alone (RST_STREAM), as a dropped request does, and
      // the other requests sharing its connection carry on.
      if (fault.kind === 'reset' && stream) stream.close(http2.NGHTTP2_INTERNAL_ERROR);
      // RST rather than FIN, so the client sees ECONNRESET like a dropped connection; over HTTP/2
      // every request multiplexed on it fails.
      else sockets.resetConnectionOf(request.raw.socket);
      reply.hijack();
      return reply;
    }
    case 'hang':
      // Never answer; the request ends when the client gives up or the simulator closes.
      reply.hijack();
      return reply;
  }
}

export interface InstrumentOptions {
  target: SimTarget;
  rules: TrafficRules;
  log: TrafficLog;
  /** Aborts pending latency delays when the simulator closes. */
  shutdown: AbortSignal;
  sockets: ConnectionTracker;
}

/** Logging, latency, holds and fault injection for one listener, as Fastify hooks. */
export function instrument(app: FastifyInstance, { target, rules, log, shutdown, sockets }: InstrumentOptions): void {
  const entries = new WeakMap<FastifyRequest, LoggedRequest>();
  const answerDelays = new WeakMap<FastifyRequest, number>();
  const heldAnswers = new WeakMap<FastifyRequest, string>();

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (path.startsWith(CONTROL_PREFIX)) return;
    // app.plex.tv's stand-in page shares the listener but is not plex.tv: it does not count as its traffic.
    if (target === 'plex-tv' && isAppPage(path)) return;
    const entry = log.record({
      target,
      method: request.method,
      path,
      route: request.routeOptions.url ?? null,
      query: { ...(request.query as Record<string, unknown>) },
      headers: headersOfInterest(request.headers),
      httpVersion: request.raw.httpVersion,
    });
    entries.set(request, entry);
    // In flight until the answer is sent or the request is cut (reset, hang, client gone).
    log.requestStarted(target);
    reply.raw.once('close', () => log.requestEnded(target));
    const latency = rules.latencyFor(request.method, path);
    if (latency.stage === 'answer') answerDelays.set(request, latency.ms);
    else if (latency.ms > 0) await delay(latency.ms, undefined, { signal: shutdown });
    const hold = rules.holds.take(request.method, path);
    if (hold?.stage === 'answer') heldAnswers.set(request, hold.id);
    else if (hold && (await rules.holds.wait(hold.id, { shutdown, answer: reply.raw })) !== 'released') {
      // The client gave up (or the simulator closes) before plex.tv got the request: it never acts on it.
      reply.hijack();
      return reply;
    }
    const fault = rules.faults.take(request.method, path);
    if (!fault) return;
    entry.fault = fault.kind;
    return applyFault(fault, request, reply, sockets);
  });

  app.addHook('preHandler', async (request) => {
    const entry = entries.get(request);
    if (entry && request.body !== undefined) entry.body = request.body;
  });

  // An answer-stage latency or hold keeps back the answer of a request already handled.
  app.addHook('onSend', async (request, reply) => {
    const ms = answerDelays.get(request);
    if (ms) await delay(ms, undefined, { signal: shutdown });
    const held = heldAnswers.get(request);
    if (held) await rules.holds.wait(held, { shutdown, answer: reply.raw });
  });

  app.addHook('onResponse', async (request, reply) => {
    const entry = entries.get(request);
    if (entry) log.recordStatus(entry, reply.statusCode);
  });
}

export interface ConnectionTracker {
  /** Resets (TCP RST) the connection a request came on; over TLS that is the TCP socket under it. */
  resetConnectionOf(socket: Pick<Socket, 'remoteAddress' | 'remotePort'>): void;
  /** Destroys every open connection, hung requests included. */
  destroyAll(): void;
}

/**
 * Counts accepted TCP connections (benchmarks check keep-alive reuse; over HTTP/2 this is the
 * number of sessions) and remembers open sockets, by client address, so faults and close() can
 * cut them. A TLS or HTTP/2 request exposes its TLS socket, which cannot send a TCP RST itself.
 */
export function trackConnections(app: FastifyInstance, onOpen: () => void): ConnectionTracker {
  const sockets = new Map<string, Socket>();
  const keyOf = (socket: Pick<Socket, 'remoteAddress' | 'remotePort'>) => `${socket.remoteAddress}:${socket.remotePort}`;
  app.server.on('connection', (socket: Socket) => {
    onOpen();
    const key = keyOf(socket);
    sockets.set(key, socket);
    socket.once('close', () => {
      if (sockets.get(key) === socket) sockets.delete(key);
    });
  });
  return {
    resetConnectionOf: (socket) => sockets.get(keyOf(socket))?.resetAndDestroy(),
    destroyAll: () => sockets.forEach((socket) => socket.destroy()),
  };
}
