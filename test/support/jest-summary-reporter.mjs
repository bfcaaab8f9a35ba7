/**
 * The reporter of `npm test`: Jest's default reporter and summary, then every failure again in
 * a `failing tests:` block (the test's full name and the first lines of its message), and last
 * the totals line `N passed, N failed[, N skipped]` that .ci/run reads. It wraps the default
 * reporters because Jest prints its summary after every reporter listed beside `default`.
 * A test file that failed as a whole (it did not load, or a hook outside any test failed)
 * counts as one failed test.
 */
import { DefaultReporter, SummaryReporter, VerboseReporter } from '@jest/reporters';
import * as path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const MESSAGE_LINES = 12;

/** What Jest calls on a reporter before the end of the run, passed on to the wrapped ones. */
const FORWARDED = [
  'onRunStart',
  'onTestStart',
  'onTestFileStart',
  'onTestCaseStart',
  'onTestCaseResult',
  'onTestFileResult',
  'onTestResult',
];

export default class TotalsReporter {
  constructor(globalConfig, _options, context) {
    this.rootDir = globalConfig.rootDir;
    const Default = globalConfig.verbose ? VerboseReporter : DefaultReporter;
    this.reporters = [new Default(globalConfig), new SummaryReporter(globalConfig, {}, context)];
    for (const hook of FORWARDED) {
      this[hook] = async (...args) => {
        for (const reporter of this.reporters) await reporter[hook]?.(...args);
      };
    }
  }

  getLastError() {
    for (const reporter of this.reporters) {
      const error = reporter.getLastError?.();
      if (error) return error;
    }
    return undefined;
  }

  async onRunComplete(contexts, results) {
    for (const reporter of this.reporters) await reporter.onRunComplete?.(contexts, results);
    const failures = [];
    let failed = results.numFailedTests;
    for (const file of results.testResults) {
      const where = path.relative(this.rootDir, file.testFilePath);
      const failedTests = file.testResults.filter((test) => test.status === 'failed');
      for (const test of failedTests) {
        failures.push({
          name: `${where} › ${test.fullName}`,
          message: test.failureMessages.join('\n'),
        });
      }
      const fileError =
        file.testExecError?.message ?? (failedTests.length === 0 ? file.failureMessage : undefined);
      if (fileError) {
        failed++;
        failures.push({ name: `${where} (the file as a whole)`, message: fileError });
      }
    }
    const lines = [];
    if (failures.length > 0) {
      lines.push('', 'failing tests:', '');
      for (const { name, message } of failures) {
        const text = stripVTControlCharacters(message ?? '')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .slice(0, MESSAGE_LINES);
        lines.push(`✖ ${name}`, ...text.map((line) => `    ${line.trim()}`), '');
      }
    }
    const skipped = results.numPendingTests + results.numTodoTests;
    lines.push(
      `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
    );
    // Jest's own reporters write to stderr; so does this, to keep the order in a terminal.
    process.stderr.write(`${lines.join('\n')}\n`);
  }
}
