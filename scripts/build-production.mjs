#!/usr/bin/env node
// The production path: install with the dev dependencies (the compiler), build, then remove the
// dev dependencies. `npm ci --omit=dev` alone cannot work on a fresh clone: nothing would compile dist/.
// Extra arguments go to `npm ci` (CI passes --prefer-offline to install from the local cache).
//
// --runtime-dir=DIR also copies what runs, and only that, into DIR (package.json, bin/, dist/, the
// views and static files, the production node_modules): the container image is that directory
// (Dockerfile), and CI starts it read-only as an unprivileged user (.ci/production-check.sh).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What `helpr serve` and the CLI need at run time, relative to the package root. */
export const RUNTIME_PATHS = ['package.json', 'package-lock.json', 'LICENSE', 'bin', 'dist', 'src/views', 'src/static', 'node_modules'];

function npm(...args) {
  console.log(`> npm ${args.join(' ')}`);
  // npm is npm.cmd on Windows, which only a shell can start.
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`helpr: "npm ${args.join(' ')}" failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

const runtimeArg = process.argv.slice(2).find((arg) => arg.startsWith('--runtime-dir='));
const npmArgs = process.argv.slice(2).filter((arg) => arg !== runtimeArg);

npm('ci', '--include=dev', '--no-audit', '--no-fund', ...npmArgs);
npm('run', 'build');
if (!existsSync(new URL('../dist/src/main.js', import.meta.url))) {
  console.error('helpr: the build did not produce dist/src/main.js.');
  process.exit(1);
}
npm('prune', '--omit=dev', '--no-audit', '--no-fund');

if (runtimeArg) {
  const target = path.resolve(runtimeArg.slice('--runtime-dir='.length));
  if (existsSync(target) && readdirSync(target).length > 0) {
    console.error(`helpr: ${target} is not empty; give an empty or new directory to --runtime-dir.`);
    process.exit(1);
  }
  mkdirSync(target, { recursive: true });
  for (const entry of RUNTIME_PATHS) {
    const from = path.join(root, entry);
    if (!existsSync(from)) continue;
    // The compiler's incremental state and source maps' sources are not needed to run.
    cpSync(from, path.join(target, entry), { recursive: true, filter: (file) => !file.endsWith('.tsbuildinfo') });
  }
  console.log(`\nThe runtime files are in ${target}: start with "node bin/helpr.js serve" there.`);
} else {
  console.log('\nBuilt for production: start with "npm start" (or "node bin/helpr.js serve").');
}
