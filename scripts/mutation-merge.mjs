#!/usr/bin/env node
// Merges Stryker incremental files of module-by-module runs (reports/mutation-chunks/*.json, issue 20)
// into one, so that a run over every listed module starts from all the recorded results instead of
// hours of mutants again: `npx stryker run --incrementalFile <merged>` then reruns only the mutants in
// code changed since, or reached by tests changed since. Each run numbers its tests from 0, so tests
// are matched by file and name and numbered anew; a source file recorded by several runs is taken
// from the last one named; files stryker.config.mjs no longer mutates are left out.
// Usage: node scripts/mutation-merge.mjs OUT.json CHUNK.json...
import fs from 'node:fs';
import config from '../stryker.config.mjs';

const escapeRegExp = (text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
// A `mutate` glob as a RegExp (the forms the config uses: a double star then a slash for any folders, a star within a name).
const globRegExp = (glob) => new RegExp(`^${glob.split('**/').map((part) => part.split('*').map(escapeRegExp).join('[^/]*')).join('(?:.*/)?')}$`);

/** Whether Stryker mutates `file` under the config's `mutate` list (later `!` globs take files out). */
export function isMutated(file, globs = config.mutate) {
  let mutated = false;
  for (const glob of globs) {
    if (glob.startsWith('!')) mutated &&= !globRegExp(glob.slice(1)).test(file);
    else mutated ||= globRegExp(glob).test(file);
  }
  return mutated;
}

/** The merge of `reports` (parsed incremental files), later ones winning for a file both recorded. */
export function mergeReports(reports, keep = isMutated) {
  if (reports.length === 0) throw new Error('nothing to merge');
  const testIds = new Map();
  const testFiles = {};
  const idOf = (file, name) => {
    const key = `${file}\u0000${name}`;
    if (!testIds.has(key)) testIds.set(key, String(testIds.size));
    return testIds.get(key);
  };
  // Test files: the newest source of each, with every test any run knew in it (a test gone from the
  // newest source makes Stryker rerun the mutants it covered, which is what should happen).
  for (const report of reports) {
    for (const [file, testFile] of Object.entries(report.testFiles ?? {})) {
      const merged = (testFiles[file] ??= { source: testFile.source, tests: [] });
      merged.source = testFile.source;
      for (const test of testFile.tests) {
        const id = idOf(file, test.name);
        if (!merged.tests.some((known) => known.id === id)) merged.tests.push({ ...test, id });
      }
    }
  }
  const files = {};
  let mutantId = 0;
  for (const report of reports) {
    const names = new Map();
    for (const [file, testFile] of Object.entries(report.testFiles ?? {})) for (const test of testFile.tests) names.set(test.id, idOf(file, test.name));
    const remap = (ids) => (ids === undefined ? undefined : ids.map((id) => names.get(id)).filter((id) => id !== undefined));
    for (const [file, data] of Object.entries(report.files)) {
      if (!keep(file)) continue;
      files[file] = {
        ...data,
        mutants: data.mutants.map((mutant) => ({ ...mutant, id: String(mutantId++), coveredBy: remap(mutant.coveredBy), killedBy: remap(mutant.killedBy) })),
      };
    }
  }
  const last = reports[reports.length - 1];
  return { ...last, files, testFiles };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [out, ...chunks] = process.argv.slice(2);
  if (!out || chunks.length === 0) {
    console.error('usage: node scripts/mutation-merge.mjs OUT.json CHUNK.json...');
    process.exit(2);
  }
  const merged = mergeReports(chunks.map((file) => JSON.parse(fs.readFileSync(file, 'utf8'))));
  fs.writeFileSync(out, JSON.stringify(merged));
  const mutants = Object.values(merged.files).reduce((n, file) => n + file.mutants.length, 0);
  const tests = Object.values(merged.testFiles).reduce((n, file) => n + file.tests.length, 0);
  console.log(`${out}: ${Object.keys(merged.files).length} files, ${mutants} mutants, ${tests} tests from ${chunks.length} runs`);
}
