#!/usr/bin/env node
// `npm install` (prepare) and `npm start` (prestart) compile the TypeScript when the compiler is
// installed. A production install (`npm ci --omit=dev`, or after `npm prune --omit=dev`) has no
// compiler: then the build already in dist/ is used, and the install must not fail because of it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  tsc = undefined;
}

if (tsc) {
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
if (!existsSync(new URL('../dist/src/main.js', import.meta.url))) {
  console.error('helpr: not built, and TypeScript is not installed (a production install?). Build with "npm run build:production" (see README).');
}
