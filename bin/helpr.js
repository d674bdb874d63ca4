#!/usr/bin/env node
// The `helpr` command (npx helpr ...). Runs the compiled CLI; `npm install` builds it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('helpr: the app is not built yet; run "npm run build" (npm install does it) and try again.');
  process.exit(1);
}
await import(entry.href);
