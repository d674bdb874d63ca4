#!/usr/bin/env node
// The `helpr` command (npx helpr ...): `helpr serve` starts the web server (what `npm start` runs,
// see src/launcher.ts), every other command is the CLI. Both run compiled; `npm install` builds them.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const serve = process.argv[2] === 'serve';
const entry = new URL(serve ? '../dist/src/serve.js' : '../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  // `npm run build` needs the compiler, a dev dependency; a production install has none.
  let compiler = true;
  try {
    createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    compiler = false;
  }
  console.error(
    compiler
      ? 'helpr: the app is not built yet; run "npm run build" and try again.'
      : 'helpr: the app is not built yet, and this install has no TypeScript compiler (dev dependencies left out); run "npm run build:production" (it installs them, builds, then removes them) and try again.',
  );
  process.exit(1);
}
await import(entry.href);
