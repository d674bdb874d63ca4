import { createPlexHttp, type PlexHttpOptions } from './plex-http.js';
import { createPmsClient } from './pms.client.js';
import { createShareDetails } from './plex-share-details.js';
import { createPlexSharingClient } from './plex-sharing.client.js';
import { createPlexTvAccountClient, type PlexTvUrls } from './plex-tv.client.js';

export interface PlexClientOptions extends PlexHttpOptions {
  urls: PlexTvUrls;
  clientIdentifier: string;
}

/** The whole Plex surface Helpr uses, over one keep-alive connection pool. */
export function createPlexClient(options: PlexClientOptions) {
  const http = createPlexHttp(options);
  const ctx = { http, urls: options.urls, clientIdentifier: options.clientIdentifier, timeoutMs: options.timeoutMs };
  const sharing = createPlexSharingClient(ctx);
  return {
    tv: createPlexTvAccountClient(ctx),
    sharing,
    shareDetails: createShareDetails(ctx, sharing),
    pms: createPmsClient(ctx),
    close: () => http.close(),
  };
}

export type PlexClient = ReturnType<typeof createPlexClient>;
