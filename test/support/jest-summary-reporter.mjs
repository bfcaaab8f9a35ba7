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
/** Stack frames of Jest and Node themselves, left out of the summary. */
const FRAMEWORK_FRAME = /^\s*at .*(\/node_modules\/|<anonymous>|node:internal)/;

/**
 * What Jest calls on a reporter before the end of the run, passed on to the wrapped ones as
 * Jest's dispatcher would: each hook, or the older name it replaces.
 */
const FORWARDED = {
  onRunStart: [],
  onTestFileStart: ['onTestStart'],
  onTestCaseStart: [],
  onTestCaseResult: [],
  onTestFileResult: ['onTestResult'],
};

export default class TotalsReporter {
  constructor(globalConfig, _options, context) {
    this.rootDir = globalConfig.rootDir;
    const Default = globalConfig.verbose ? VerboseReporter : DefaultReporter;
    this.reporters = [new Default(globalConfig), new SummaryReporter(globalConfig, {}, context)];
    for (const [hook, older] of Object.entries(FORWARDED)) {
      this[hook] = async (...args) => {
        for (const reporter of this.reporters) {
          const name = [hook, ...older].find((candidate) => reporter[candidate]);
          if (name) await reporter[name](...args);
        }
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
    if (failures.length > 0) lines.push('', 'failing tests:', '');
    // Tests failed by one error (a failed beforeAll fails each test below it) share a paragraph.
    for (let i = 0; i < failures.length;) {
      const { message } = failures[i];
      for (; i < failures.length && failures[i].message === message; i++) {
        lines.push(`✖ ${failures[i].name}`);
      }
      const text = stripVTControlCharacters(message ?? '')
        .split('\n')
        .filter((line) => line.trim() !== '' && !FRAMEWORK_FRAME.test(line))
        .slice(0, MESSAGE_LINES);
      lines.push(...text.map((line) => `    ${line.trim()}`), '');
    }
    const skipped = results.numPendingTests + results.numTodoTests;
    lines.push(
      `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
    );
    // Jest's own reporters write to stderr; so does this, to keep the order in a terminal.
    process.stderr.write(`${lines.join('\n')}\n`);
  }
}
