#!/usr/bin/env node
// The production path: install with the dev dependencies (the compiler), build, then remove the
// dev dependencies. `npm ci --omit=dev` alone cannot work on a fresh clone: nothing would compile dist/.
// Extra arguments go to `npm ci` (CI passes --prefer-offline to install from the local cache).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function npm(...args) {
  console.log(`> npm ${args.join(' ')}`);
  // npm is npm.cmd on Windows, which only a shell can start.
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`helpr: "npm ${args.join(' ')}" failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

npm('ci', '--include=dev', '--no-audit', '--no-fund', ...process.argv.slice(2));
npm('run', 'build');
if (!existsSync(new URL('../dist/src/main.js', import.meta.url))) {
  console.error('helpr: the build did not produce dist/src/main.js.');
  process.exit(1);
}
npm('prune', '--omit=dev', '--no-audit', '--no-fund');
console.log('\nBuilt for production: start with "npm start" (or "node bin/helpr.js serve").');
