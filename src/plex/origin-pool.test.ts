import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { plexFailure } from '../../test/helpers/plex-sim.js';
import { createSimCertificate } from '../../tools/plex-sim/tls-cert.js';
import { createPlexHttp, type PlexHttp } from './plex-http.js';

const opened: PlexHttp[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((http) => http.close()));
  servers.splice(0).forEach((server) => server.close());
});

const listen = async (server: Server, host = '127.0.0.1') => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
};

describe('connections that fail', () => {
  it('keeps reporting a certificate for another name, however often the address is tried', async () => {
    // A media server address typed as https://<ip>:32400 answers with a certificate for its *.plex.direct name.
    // The certificate names 127.0.0.1, not 127.0.0.2 (the whole 127/8 block is loopback on Linux).
    const { certPem, keyPem } = await createSimCertificate();
    const port = await listen(createHttpsServer({ key: keyPem, cert: certPem }, (_request, response) => response.end('{}')), '127.0.0.2');
    const http = createPlexHttp({ ca: certPem, timeoutMs: 5_000, connectionsPerOrigin: 2 });
    opened.push(http);
    for (let i = 0; i < 5; i += 1) {
      const error = await plexFailure(http.send({ what: 'asking the media server who it is', url: `https://127.0.0.2:${port}/identity`, headers: {} }), 'network');
      expect(error.message).toContain("does not match certificate's altnames");
    }
  });
});
