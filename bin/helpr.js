#!/usr/bin/env node
// The `helpr` command (npx helpr ...): `helpr serve` starts the web server (what `npm start` runs,
// see src/launcher.ts), every other command is the CLI. Both run compiled; `npm install` builds them.
import { existsSync } from 'node:fs';

const serve = process.argv[2] === 'serve';
const entry = new URL(serve ? '../dist/src/serve.js' : '../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('helpr: the app is not built yet; run "npm run build" (npm install does it) and try again.');
  process.exit(1);
}
await import(entry.href);
