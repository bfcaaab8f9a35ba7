import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { join } from 'node:path';
import {
  accepts,
  embeddedDatabasePorts,
  Launcher,
  postgresProcessesIn,
  removeDataDir,
  REPO_ROOT,
  tempDataDir,
} from '@app/testing/launcher';
import { freePort } from '@app/testing/free-port';
import { waitFor } from '@app/testing/wait-for';

describe('npm start in a terminal', () => {
  const dataDirs: string[] = [];
  const launchers: Launcher[] = [];

  afterAll(() => {
    for (const launcher of launchers) launcher.kill();
    for (const dir of dataDirs) removeDataDir(dir);
  });

  it('starts both services with a short readable banner and leaves nothing behind when stopped', async () => {
    const dataDir = tempDataDir('tty');
    dataDirs.push(dataDir);
    const [devicesPort, mentorPort] = [await freePort(), await freePort()];
    // In a pseudo-terminal the launcher chooses pretty logs, as for a person at a terminal.
    const launcher = Launcher.start(
      'npm start',
      { DATA_DIR: dataDir, DEVICES_PORT: String(devicesPort), MENTOR_PORT: String(mentorPort) },
      { tty: true },
    );
    launchers.push(launcher);
    await launcher.waitReady(`http://127.0.0.1:${devicesPort}/health/ready`);
    await launcher.waitReady(`http://127.0.0.1:${mentorPort}/health/ready`);
    await waitFor(() => embeddedDatabasePorts(launcher.output).length === 2, {
      message: () => `both start banners:\n${launcher.output}`,
    });

    const output = launcher.output;
    const lines = output.split('\n');
    const banner = (service: string, title: string, port: number): void => {
      const first = lines.findIndex(
        (line) =>
          line.includes(`[${service}] `) &&
          line.includes(`${title} listening on http://localhost:${port}`),
      );
      assert.ok(first >= 0, `${service} banner in:\n${output}`);
      // The banner's next lines, prefixed by the launcher, each one fact.
      const next = lines.slice(first + 1, first + 5).join('\n');
      assert.match(
        next,
        new RegExp(`\\[${service}\\]\\s+API docs:\\s+http://localhost:${port}/docs`),
      );
      assert.match(
        next,
        new RegExp(`\\[${service}\\]\\s+health:\\s+http://localhost:${port}/health`),
      );
    };
    banner('devices', 'Raqeem Devices', devicesPort);
    banner('mentor', 'Raqeem Mentor', mentorPort);
    assert.match(
      output,
      new RegExp(`\\[mentor\\]\\s+dashboard:\\s+http://localhost:${mentorPort}/\\s`),
    );
    assert.match(output, new RegExp(`forwarding to http://127\\.0\\.0\\.1:${mentorPort}`));
    assert.match(
      output,
      new RegExp(`reconciling by pull from http://127\\.0\\.0\\.1:${devicesPort}`),
    );
    // Pretty lines, not JSON with escaped newlines; Nest's route table only at debug level.
    assert.doesNotMatch(output, /\\n/);
    assert.doesNotMatch(output, /"level":/);
    assert.doesNotMatch(output, /Mapped \{/);
    assert.doesNotMatch(output, /ExceptionHandler|TypeError/);

    const databases = embeddedDatabasePorts(output);
    // Ctrl-C: the launcher stops both services gracefully, and each its embedded PostgreSQL.
    // (npm itself then ends as interrupted, 130.)
    await launcher.interrupt();
    assert.match(launcher.output, /\[devices\] exited with code 0/);
    assert.match(launcher.output, /\[mentor\] exited with code 0/);
    for (const port of [devicesPort, mentorPort, ...databases])
      assert.equal(await accepts(port), false, `port ${port} still answers`);
    assert.deepEqual(postgresProcessesIn(dataDir), []);
  });

  it('stops its embedded database when the service fails to start', async () => {
    const dataDir = tempDataDir('fail');
    dataDirs.push(dataDir);
    const taken = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const child = spawn(
        process.execPath,
        [join(REPO_ROOT, 'dist', 'apps', 'devices', 'src', 'main.js')],
        {
          cwd: REPO_ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            DATA_DIR: dataDir,
            HOST: '127.0.0.1',
            DEVICES_PORT: String(port),
            MENTOR_API_URL: '',
            // Pretty logs without a terminal, as LOG_FORMAT=pretty asks.
            LOG_FORMAT: 'pretty',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 1, output);
      assert.match(output, /EADDRINUSE/);
      assert.doesNotMatch(output, /TypeError/);
      assert.deepEqual(postgresProcessesIn(dataDir), [], output);
    } finally {
      taken.close();
    }
  });
});
