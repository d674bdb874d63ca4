import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';

/** Every test file under src/ and test/ (relative paths). */
function testFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(relative);
      else if (/\.(test|spec)\.ts$/.test(entry.name)) found.push(relative);
    }
  };
  walk('src');
  walk('test');
  return found;
}

/**
 * The test Redis (TEST_REDIS_URL) is shared with other runs and maybe other data: a suite that uses
 * it writes under a prefix of its own (testRedisPrefix, given to Helpr as REDIS_KEY_PREFIX) and
 * deletes only those keys (deleteKeysUnder). Never the default `helpr:` prefix, a KEYS pattern over
 * other runs' keys, or a flush. A suite with its own redis-server may do what it likes there.
 */
describe('suites on the shared test Redis', () => {
  const users = testFiles().filter((file) => fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8').includes('TEST_REDIS_URL!'));

  it('are found', () => {
    expect(users).toContain(path.join('test', 'http', 'redis-outage.test.ts'));
  });

  it('use a prefix of their own, delete only their keys, and never list or flush others', () => {
    const problems = users.flatMap((file) => {
      const source = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
      return [
        source.includes('testRedisPrefix(') ? [] : [`${file}: no testRedisPrefix()`],
        source.includes('deleteKeysUnder(') ? [] : [`${file}: no deleteKeysUnder()`],
        /\.keys\(\s*[`'"]/.test(source) ? [`${file}: KEYS over the shared database`] : [],
        /flush(db|all)/i.test(source) ? [`${file}: flushes the shared database`] : [],
      ].flat();
    });
    expect(problems).toEqual([]);
  });
});
