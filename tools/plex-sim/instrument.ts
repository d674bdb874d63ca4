import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

function applyFault(fault: FaultSpec, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
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
      // RST rather than FIN, so the client sees ECONNRESET like a dropped connection.
      request.raw.socket.resetAndDestroy();
      reply.hijack();
      return reply;
    case 'hang':
      // Never answer; the socket ends when the client gives up or the simulator closes.
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
}

/** Logging, latency and fault injection for one listener, as Fastify hooks. */
export function instrument(app: FastifyInstance, { target, rules, log, shutdown }: InstrumentOptions): void {
  const entries = new WeakMap<FastifyRequest, LoggedRequest>();

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (path.startsWith(CONTROL_PREFIX)) return;
    const entry = log.record({
      target,
      method: request.method,
      path,
      route: request.routeOptions.url ?? null,
      query: { ...(request.query as Record<string, unknown>) },
      headers: headersOfInterest(request.headers),
    });
    entries.set(request, entry);
    const ms = rules.latencyFor(request.method, path);
    if (ms > 0) await delay(ms, undefined, { signal: shutdown });
    const fault = rules.faults.take(request.method, path);
    if (!fault) return;
    entry.fault = fault.kind;
    return applyFault(fault, request, reply);
  });

  app.addHook('preHandler', async (request) => {
    const entry = entries.get(request);
    if (entry && request.body !== undefined) entry.body = request.body;
  });

  app.addHook('onResponse', async (request, reply) => {
    const entry = entries.get(request);
    if (entry) log.recordStatus(entry, reply.statusCode);
  });
}

/**
 * Counts accepted TCP connections (benchmarks check keep-alive reuse) and remembers open sockets
 * so close() can destroy them, hung requests included.
 */
export function trackConnections(app: FastifyInstance, onOpen: () => void): { destroyAll(): void } {
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    onOpen();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return { destroyAll: () => sockets.forEach((socket) => socket.destroy()) };
}
