import { afterAll, beforeAll, inject, type RunnerTask as Task, type RunnerTestFile as File, type RunnerTestSuite as Suite } from 'vitest';

/**
 * Mutation runs only (vitest.mutation.config.ts; does nothing outside Stryker). Stryker records which
 * tests reach each mutant, to run only those against it; code reached outside a test (a file's
 * beforeAll building the app, a background pass between two tests) counts as reached by no test
 * ("static"), and such a mutant is run against every test there is: a minute or more each, for the
 * thousand mutants in app set-up code. Here, what a test file reaches outside its tests is counted
 * for every test of that file (running any of them runs those hooks again). Code run when a module
 * is first imported stays static: Stryker activates a mutant after imports, so only a full run
 * (static activation) can test it.
 */
type Coverage = { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
type StrykerNamespace = { currentTestId?: string; mutantCoverage?: Coverage };

const provided = inject as unknown as (key: string) => unknown;

if (provided('mode') === 'dry-run') {
  const namespaceKey = String(provided('globalNamespace'));
  const globals = globalThis as unknown as Record<string, StrykerNamespace | undefined>;
  const ns = (globals[namespaceKey] ??= {});
  let current = ns.currentTestId;
  let outsideTests: string | undefined;
  // Stryker's hooks set the id around each test and clear it after; in between, this file's id.
  Object.defineProperty(ns, 'currentTestId', {
    configurable: true,
    enumerable: true,
    get: () => current ?? outsideTests,
    set: (id: string | undefined) => {
      current = id;
    },
  });

  // Vitest wants the context destructured even when unused.
  // eslint-disable-next-line no-empty-pattern
  beforeAll(({}, suite) => {
    outsideTests = `${(suite as File).filepath}#(outside its tests)`;
  });

  // eslint-disable-next-line no-empty-pattern
  afterAll(({}, suite) => {
    const coverage = ns.mutantCoverage;
    const reached = outsideTests === undefined ? undefined : coverage?.perTest[outsideTests];
    if (coverage && reached) {
      for (const id of testIds(suite)) {
        const perTest = (coverage.perTest[id] ??= {});
        for (const [mutant, hits] of Object.entries(reached)) perTest[mutant] = (perTest[mutant] ?? 0) + hits;
      }
      delete coverage.perTest[outsideTests!];
    }
    outsideTests = undefined;
  });
}

/** Stryker's id of each test in the file: its path, '#', then the names from the outermost suite down. */
function testIds(suite: Readonly<Suite | File>): string[] {
  const ids: string[] = [];
  const visit = (task: Task) => {
    if (task.type === 'suite') task.tasks.forEach(visit);
    else ids.push(`${task.file.filepath}#${fullName(task)}`);
  };
  suite.tasks.forEach(visit);
  return ids;
}

function fullName(task: Task): string {
  const parts = [task.name];
  for (let parent = task.suite; parent; parent = parent.suite) parts.unshift(parent.name);
  return parts.join(' ').trim();
}
