import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from src/ (tsx, vitest) or from dist/src/ (npm start). */
function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();
export const VIEWS_DIR = path.join(PROJECT_ROOT, 'src', 'views');
export const STATIC_DIR = path.join(PROJECT_ROOT, 'src', 'static');
export const NODE_MODULES_DIR = path.join(PROJECT_ROOT, 'node_modules');

export const APP_VERSION: string = (
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
