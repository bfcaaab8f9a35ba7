import { compiledFile } from '@app/testing/repo-root';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';

const MODULE = compiledFile('libs/platform/src/logging/stdout-destination.ts');

/** Runs `body` in a child process with `out` = the shared StdoutDestination. */
function script(body: string): string[] {
  return [
    '-e',
    `const { StdoutDestination } = require(${JSON.stringify(MODULE)});
     const out = StdoutDestination.get();
     ${body}`,
  ];
}

describe('StdoutDestination', () => {
  it('writes every buffered line when the process exits, even through process.exit', () => {
    const run = spawnSync(
      process.execPath,
      script(`for (let i = 0; i < 5000; i++) out.write('{"line":' + i + '}\\n'); process.exit(0);`),
      { encoding: 'utf8' },
    );
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 5000);
    assert.equal(lines[4999], '{"line":4999}');
  });

  it('writes a line while the process runs on, without waiting for it to exit', async () => {
    // The child would idle for ten minutes: a line that waited for its exit never comes.
    const child = spawn(
      process.execPath,
      script(`out.write('{"line":1}\\n'); setTimeout(() => undefined, 600_000);`),
    );
    try {
      const first = await new Promise<string>((resolve) =>
        child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())),
      );
      assert.equal(first, '{"line":1}\n');
      assert.equal(child.exitCode, null, 'the child still runs');
    } finally {
      child.kill();
    }
  });

  it('writes at once when asked (warnings and errors)', async () => {
    const child = spawn(
      process.execPath,
      script(
        `setInterval(() => undefined, 1000);
         process.stdin.once('data', () => { out.write('{"warn":1}\\n'); out.flush(); });`,
      ),
    );
    child.stdin.write('go\n');
    const first = await new Promise<string>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    child.kill();
    assert.equal(first, '{"warn":1}\n');
  });
});
