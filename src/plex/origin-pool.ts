import type { TLSSocket } from 'node:tls';
import { buildConnector, Client, errors, type Dispatcher } from 'undici';

export interface OriginPoolOptions {
  /** Connections at most, whatever the protocol. */
  connections: number;
  /** Requests multiplexed on one HTTP/2 connection at most. */
  streamsPerConnection: number;
  connectTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** The CA certificates to trust; Node's (with NODE_EXTRA_CA_CERTS) when left out. */
  ca?: string[];
}

type Protocol = 'http/1.1' | 'h2';

class Connection {
  client!: Client;
  /** What its TLS handshake negotiated; HTTP/1.1 without TLS. */
  protocol: Protocol | undefined;
  opening = false;
}

interface Held {
  start(client: Client): void;
  fail(error: Error): void;
}

/**
 * The connections to one origin (plex.tv, clients.plex.tv, a media server address), each an undici
 * Client. Over HTTPS, ALPN may pick HTTP/2 (plex.tv does): then a connection carries up to
 * `streamsPerConnection` requests at once; over HTTP/1.1 one at a time. The connection for each
 * request is chosen here, from every Client's own counts, rather than by undici's Pool, which
 * (7.x) cannot multiplex without `pipelining`, opens one connection per request while a TLS
 * handshake is under way, and acts on `drain` events that are stale after a burst of dispatches.
 *
 * Requests wait here while every connection is full (or at the bound), and while connections are
 * being opened to an origin that speaks, or may speak, HTTP/2, as many requests as those will carry;
 * only requests beyond that open more connections. An origin known to speak HTTP/1.1, or whose last
 * connection attempt failed, opens a connection per waiting request, as a plain pool does.
 */
export class OriginPool {
  private readonly connections: Connection[] = [];
  private readonly held: Held[] = [];
  private readonly connector: buildConnector.connector;
  private protocol: Protocol | undefined;
  private lastAttemptFailed = false;
  private closed = false;

  constructor(
    private readonly origin: URL,
    private readonly options: OriginPoolOptions,
  ) {
    if (origin.protocol !== 'https:') this.protocol = 'http/1.1';
    // One connector for the origin, so new connections resume earlier TLS sessions.
    this.connector = buildConnector({ allowH2: true, timeout: options.connectTimeoutMs, ...(options.ca ? { ca: options.ca } : {}) });
  }

  /** Runs `start` on a connection that can carry the request now, or once one can; `signal` ends the wait. */
  send<T>(signal: AbortSignal, start: (dispatcher: Dispatcher) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new errors.ClientClosedError());
    const client = this.route(this.held.length);
    if (client) return start(client);
    return new Promise<T>((resolve, reject) => {
      const giveUp = () => {
        const index = this.held.indexOf(held);
        if (index >= 0) this.held.splice(index, 1);
        reject(signal.reason);
      };
      const held: Held = {
        start: (chosen) => {
          signal.removeEventListener('abort', giveUp);
          start(chosen).then(resolve, reject);
        },
        fail: reject,
      };
      if (signal.aborted) return giveUp();
      signal.addEventListener('abort', giveUp, { once: true });
      this.held.push(held);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.held.splice(0).forEach((held) => held.fail(new errors.ClientClosedError()));
    await Promise.all(this.connections.map(({ client }) => client.close()));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.connections.map(({ client }) => client.destroy()));
  }

  private capacity(connection: Connection): number {
    return connection.protocol === 'h2' ? this.options.streamsPerConnection : 1;
  }

  /** The connection for a request that has `waiting` others ahead of it, or undefined to wait. */
  private route(waiting: number): Client | undefined {
    const free = this.connections.find((c) => c.client.stats.connected && c.client.stats.size < this.capacity(c));
    if (free) return free.client;
    const opening = this.connections.filter((c) => c.opening).length;
    const mayMultiplex = this.protocol !== 'http/1.1' && !this.lastAttemptFailed;
    if (mayMultiplex && waiting < opening * this.options.streamsPerConnection) return undefined;
    const idle = this.connections.find((c) => !c.opening && !c.client.stats.connected && c.client.stats.size === 0);
    if (idle) return idle.client;
    if (this.connections.length < this.options.connections) return this.addConnection();
    return undefined;
  }

  private releaseHeld(): void {
    while (this.held.length > 0) {
      const client = this.route(this.held.length - 1);
      if (!client) return;
      this.held.shift()!.start(client);
    }
  }

  private addConnection(): Client {
    const connection = new Connection();
    const client = new Client(this.origin, {
      allowH2: true,
      maxConcurrentStreams: this.options.streamsPerConnection,
      keepAliveTimeout: this.options.keepAliveTimeoutMs,
      connect: (connectOptions, callback) => this.connect(connection, connectOptions, callback),
    });
    // After the handshake and before the first request is written: how many requests it may carry.
    client.on('connect', () => {
      client.pipelining = this.capacity(connection);
    });
    // A full connection has room again.
    client.on('drain', () => this.releaseHeld());
    connection.client = client;
    this.connections.push(connection);
    return client;
  }

  private discard(connection: Connection): void {
    const index = this.connections.indexOf(connection);
    if (index >= 0) this.connections.splice(index, 1);
    connection.client.destroy().catch(() => undefined);
  }

  private connect(connection: Connection, options: buildConnector.Options, callback: buildConnector.Callback): void {
    connection.opening = true;
    let ended = false;
    const finish = (ok: boolean) => {
      if (ended) return;
      ended = true;
      connection.opening = false;
      this.lastAttemptFailed = !ok;
      if (ok) this.protocol = connection.protocol;
      // undici fails the requests of a certificate for another name (ERR_TLS_CERT_ALTNAME_INVALID) but
      // counts them as running ever after: the Client can never carry a request again, so it goes.
      if (!ok && connection.client.stats.running > 0) this.discard(connection);
      // After undici has put the new connection to work.
      setImmediate(() => this.releaseHeld());
    };
    try {
      this.connector(options, (...args: Parameters<buildConnector.Callback>) => {
        const [error, socket] = args;
        connection.protocol = (socket as TLSSocket | null)?.alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
        try {
          callback(...args);
        } finally {
          finish(error === null);
        }
      });
    } catch (error) {
      finish(false);
      throw error;
    }
  }
}
