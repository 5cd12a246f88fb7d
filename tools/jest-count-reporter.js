// Appends each jest run's pass/fail counts to a file so that tools/test.mjs can print
// one plain "tests: N passed, N failed" line after Nx has run every project.
import fs from 'node:fs';

export default class JestCountReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.ROLLSAFE_TEST_COUNTS;
    if (!file) return;
    const line = JSON.stringify({
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    });
    fs.appendFileSync(file, line + '\n');
  }
}
