#!/usr/bin/env node
// The project's one test command: type check, lint, format check, then every vitest test.
// Each check counts as one test in the closing totals, so a lint failure shows as a failure
// there too. The last line is always `N passed, N failed`; the exit code is non-zero on any
// failure.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const resultsDir = join(root, 'test-results');
const vitestJson = join(resultsDir, 'vitest.json');

const checks = [
  { name: 'type check', command: bin('tsc'), args: ['--noEmit'] },
  { name: 'lint', command: bin('eslint'), args: ['.'] },
  { name: 'format check', command: bin('prettier'), args: ['--check', '.'] },
];

let passed = 0;
let failed = 0;

for (const check of checks) {
  console.log(`\n== ${check.name}: ${check.command} ${check.args.join(' ')}`);
  const result = spawnSync(check.command, check.args, { cwd: root, stdio: 'inherit' });
  if (result.status === 0) {
    passed += 1;
  } else {
    failed += 1;
    console.log(`== ${check.name} failed (exit ${result.status ?? result.signal})`);
  }
}

mkdirSync(resultsDir, { recursive: true });
rmSync(vitestJson, { force: true });
const extraArgs = process.argv.slice(2);
console.log(`\n== vitest`);
const vitest = spawnSync(
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, ...extraArgs],
  { cwd: root, stdio: 'inherit' },
);

let report;
try {
  report = JSON.parse(readFileSync(vitestJson, 'utf8'));
} catch {
  report = undefined;
}

if (report === undefined) {
  failed += 1;
  console.log(`== vitest wrote no report (exit ${vitest.status ?? vitest.signal})`);
} else {
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that fails before its tests run (an import error, a failing hook) has no failed
  // test of its own; count it so the totals never hide it.
  const brokenSuites = report.testResults.filter(
    (suite) =>
      suite.status === 'failed' && suite.assertionResults.every((a) => a.status !== 'failed'),
  ).length;
  failed += brokenSuites;
  if (vitest.status !== 0 && report.numFailedTests === 0 && brokenSuites === 0) failed += 1;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
