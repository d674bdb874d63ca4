import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { NODE_MODULES_DIR, STATIC_DIR } from '../paths.js';

/** Where each public URL prefix is served from; vendor files come from node_modules, never a CDN. */
const MOUNTS = [
  { prefix: '/static/', root: STATIC_DIR },
  { prefix: '/vendor/bootstrap/', root: path.join(NODE_MODULES_DIR, 'bootstrap', 'dist') },
  { prefix: '/vendor/chart.js/', root: path.join(NODE_MODULES_DIR, 'chart.js', 'dist') },
];

const fingerprints = new Map<string, string>();

/**
 * The URL of a static file with a content hash (`/static/css/app.css?v=1a2b3c4d`), so browsers
 * may keep files for a year and still see a new version at once.
 */
export function assetUrl(urlPath: string): string {
  let url = fingerprints.get(urlPath);
  if (url === undefined) {
    const mount = MOUNTS.find((m) => urlPath.startsWith(m.prefix));
    if (!mount) throw new Error(`No static mount serves ${urlPath}`);
    const file = path.join(mount.root, urlPath.slice(mount.prefix.length));
    const hash = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 10);
    url = `${urlPath}?v=${hash}`;
    fingerprints.set(urlPath, url);
  }
  return url;
}

export const staticPlugin = fp(async (app: FastifyInstance) => {
  for (const [index, mount] of MOUNTS.entries()) {
    await app.register(fastifyStatic, {
      root: mount.root,
      prefix: mount.prefix,
      decorateReply: index === 0,
      index: false,
      list: false,
      wildcard: true,
      // Pages always link through assetUrl(), whose hash changes with the content.
      cacheControl: true,
      maxAge: 365 * 24 * 60 * 60 * 1000,
      immutable: true,
      preCompressed: false,
    });
  }
});
