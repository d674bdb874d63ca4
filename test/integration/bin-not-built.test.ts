import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { tempDir } from '../helpers/app.js';

const README = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

/** A copy of the `helpr` command in a checkout without dist/, with or without the compiler installed. */
function checkout(withCompiler: boolean): string {
  const root = tempDir('helpr-not-built-');
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync(path.join(PROJECT_ROOT, 'bin/helpr.js'), path.join(root, 'bin/helpr.js'));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'helpr', type: 'module', private: true }));
  if (withCompiler) {
    const typescript = path.join(root, 'node_modules/typescript');
    fs.mkdirSync(path.join(typescript, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(typescript, 'package.json'), JSON.stringify({ name: 'typescript', version: '5.0.0' }));
    fs.writeFileSync(path.join(typescript, 'bin/tsc'), '');
  }
  return root;
}

function run(root: string, args: string[]) {
  const result = spawnSync(process.execPath, [path.join(root, 'bin/helpr.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe('helpr before it is built', () => {
  it('without dev dependencies, points to npm run build:production (npm run build would fail without tsc)', () => {
    const { status, stderr } = run(checkout(false), ['serve']);
    expect(status).toBe(1);
    expect(stderr).toContain('npm run build:production');
    expect(stderr).not.toMatch(/"npm run build"/);
  });

  it('with dev dependencies, points to npm run build', () => {
    const { status, stderr } = run(checkout(true), ['help']);
    expect(status).toBe(1);
    expect(stderr).toContain('"npm run build"');
    expect(stderr).not.toContain('build:production');
  });

  it('the README says so instead of "npm start does not fail"', () => {
    const paragraph = README.slice(README.indexOf('### Production install'), README.indexOf('### Try it without a Plex server'));
    expect(paragraph).not.toMatch(/npm start`[^.]*do(es)? not fail/);
    expect(paragraph).toMatch(/`npm start`[^.]*when there is none, it stops \(exit code 1\) and says to run `npm run build:production`/);
  });
});
