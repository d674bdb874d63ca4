import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { tempDir } from '../helpers/temp-dirs.js';

// scripts/mutation-check.mjs, the per-file gate after Stryker (npm run test:mutation), on small
// hand-made reports in Stryker's JSON format.

const CORE = ['identifier', 'invitation-delivery', 'invitations.service', 'invitation-sender', 'retry-policy', 'retry-worker'].map(
  (name) => `src/modules/invitations/${name}.ts`,
);

type Status = 'Killed' | 'Timeout' | 'Survived' | 'NoCoverage' | 'Ignored' | 'RuntimeError';

function mutants(counts: Partial<Record<Status, number>>) {
  return Object.entries(counts).flatMap(([status, n]) =>
    Array.from({ length: n }, (_, i) => ({ id: `${status}-${i}`, mutatorName: 'EqualityOperator', replacement: 'a >= b', status, location: { start: { line: i + 1, column: 3 }, end: { line: i + 1, column: 9 } } })),
  );
}

function check(files: Record<string, Partial<Record<Status, number>>>) {
  const dir = tempDir('helpr-mutation-check-');
  const report = path.join(dir, 'mutation.json');
  const entries = Object.entries(files).map(([file, counts]) => [path.join(PROJECT_ROOT, file), { language: 'typescript', source: '', mutants: mutants(counts) }]);
  fs.writeFileSync(report, JSON.stringify({ schemaVersion: '2', thresholds: { high: 90, low: 80 }, files: Object.fromEntries(entries) }));
  const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts/mutation-check.mjs'), report], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const coreAt = (counts: Partial<Record<Status, number>>) => Object.fromEntries(CORE.map((file) => [file, counts]));

describe('mutation check', () => {
  it('passes when every core file reaches 85 % and the others 80 %, printing a row per file', () => {
    const result = check({ ...coreAt({ Killed: 17, Survived: 3 }), 'src/security/crypto.ts': { Killed: 8, Timeout: 0, Survived: 2 } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/src\/modules\/invitations\/retry-worker\.ts +20 +17 +0 +3 +0 +0 +85\.0% +85% +ok/);
    expect(result.stdout).toMatch(/src\/security\/crypto\.ts +10 +8 +0 +2 +0 +0 +80\.0% +80% +ok/);
    expect(result.stdout).toContain('every file meets its threshold');
  });

  it('fails when one core file drops under 85 %, naming it and its survivors', () => {
    const result = check({ ...coreAt({ Killed: 17, Timeout: 0, Survived: 3 }), 'src/modules/invitations/retry-policy.ts': { Killed: 16, Survived: 2, NoCoverage: 2 } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/retry-policy\.ts +20 +16 +0 +2 +2 +0 +80\.0% +85% +FAIL/);
    expect(result.stderr).toContain('src/modules/invitations/retry-policy.ts scores 80.0%, under its 85%');
    expect(result.stderr).toContain('src/modules/invitations/retry-policy.ts:1:3  EqualityOperator -> a >= b  (Survived)');
    expect(result.stderr).toContain('(NoCoverage)');
  });

  it('fails when another file drops under 80 %; timeouts count as caught, ignored mutants and errors not at all', () => {
    const passing = check({ ...coreAt({ Killed: 10 }), 'src/plugins/csrf.ts': { Killed: 7, Timeout: 1, Survived: 2, Ignored: 30, RuntimeError: 5 } });
    expect(passing.code).toBe(0);
    const failing = check({ ...coreAt({ Killed: 10 }), 'src/plugins/csrf.ts': { Killed: 7, Survived: 3, Ignored: 30 } });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('src/plugins/csrf.ts scores 70.0%, under its 80%');
  });

  it('fails when a core file is not in the report at all, and says so without a report', () => {
    const files = coreAt({ Killed: 10 });
    delete files['src/modules/invitations/retry-worker.ts'];
    const result = check(files);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('src/modules/invitations/retry-worker.ts is not in the report');
    const none = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts/mutation-check.mjs'), path.join(tempDir(), 'none.json')], { encoding: 'utf8' });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('no report at');
  });
});
