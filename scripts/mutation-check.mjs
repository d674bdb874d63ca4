#!/usr/bin/env node
// Holds each mutated file to its mutation score (issue 20), from Stryker's JSON report: the invite
// pipeline's core files at 85 %, every other file Stryker mutates at 80 %. Stryker's own
// `thresholds.break` is one number for all files together, which a strong file can hide a weak one
// behind. Prints one row per file and exits 1 when a file is under its threshold or a core file is
// missing from the report. Usage: node scripts/mutation-check.mjs [report.json]
import fs from 'node:fs';
import { CORE_FILES } from '../stryker.ci.config.mjs';

const REPORT = process.argv[2] ?? 'reports/mutation/mutation.json';
const DEFAULT_THRESHOLD = 80;
/** The files a lost or doubled invitation would come from (the ones CI mutates). */
const CORE_THRESHOLDS = Object.fromEntries(CORE_FILES.map((file) => [file, 85]));

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/** Stryker's score: detected / (detected + undetected); errors and ignored mutants do not count. */
function scoreOf(mutants) {
  const count = (status) => mutants.filter((m) => m.status === status).length;
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const undetected = mutants.filter((m) => UNDETECTED.has(m.status)).length;
  const valid = detected + undetected;
  return {
    mutants: mutants.length,
    killed: count('Killed'),
    timeout: count('Timeout'),
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    ignored: count('Ignored'),
    errors: count('RuntimeError') + count('CompileError'),
    score: valid === 0 ? undefined : (100 * detected) / valid,
  };
}

function checkReport(report) {
  const relative = (file) => file.replace(/\\/g, '/').replace(/^.*?(?=src\/)/, '');
  const rows = Object.entries(report.files)
    .map(([file, data]) => {
      const name = relative(file);
      return { file: name, threshold: CORE_THRESHOLDS[name] ?? DEFAULT_THRESHOLD, ...scoreOf(data.mutants), survivors: data.mutants.filter((m) => UNDETECTED.has(m.status)) };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
  const missing = Object.keys(CORE_THRESHOLDS).filter((file) => !rows.some((row) => row.file === file));
  const failing = rows.filter((row) => row.score !== undefined && row.score < row.threshold);
  return { rows, missing, failing };
}

function printTable(rows) {
  const header = ['file', 'mutants', 'killed', 'timeout', 'survived', 'no cov', 'ignored', 'score', 'min', ''];
  const lines = rows.map((row) => [
    row.file,
    String(row.mutants),
    String(row.killed),
    String(row.timeout),
    String(row.survived),
    String(row.noCoverage),
    String(row.ignored),
    row.score === undefined ? 'n/a' : `${row.score.toFixed(1)}%`,
    `${row.threshold}%`,
    row.score !== undefined && row.score < row.threshold ? 'FAIL' : 'ok',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  lines.forEach((line) => console.log(format(line)));
}

function main() {
  if (!fs.existsSync(REPORT)) {
    console.error(`mutation check: no report at ${REPORT} (run Stryker first: npm run test:mutation)`);
    process.exit(1);
  }
  const { rows, missing, failing } = checkReport(JSON.parse(fs.readFileSync(REPORT, 'utf8')));
  printTable(rows);
  const sum = (key) => rows.reduce((n, row) => n + row[key], 0);
  const detected = sum('killed') + sum('timeout');
  const valid = detected + sum('survived') + sum('noCoverage');
  console.log(`\nall files: ${valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)}%`} of ${sum('mutants')} mutants`);
  for (const file of missing) console.error(`mutation check: ${file} is not in the report (is it still in stryker.config.mjs "mutate"?)`);
  for (const row of failing) {
    console.error(`\nmutation check: ${row.file} scores ${row.score.toFixed(1)}%, under its ${row.threshold}%. Not caught by any test:`);
    for (const m of row.survivors) console.error(`  ${row.file}:${m.location.start.line}:${m.location.start.column}  ${m.mutatorName}${m.replacement ? ` -> ${m.replacement.split('\n')[0].slice(0, 80)}` : ''}  (${m.status})`);
  }
  if (missing.length > 0 || failing.length > 0) process.exit(1);
  console.log('mutation check: every file meets its threshold');
}

main();
