import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDashboardDir } from './dashboard-dir';

describe('Where the Mentor finds the built dashboard by default', () => {
  const repo = mkdtempSync(join(tmpdir(), 'raqeem-repo-'));
  const folder = (...parts: string[]): string => {
    const dir = join(repo, ...parts);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  writeFileSync(join(repo, 'package.json'), '{}');
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('takes the dashboard of the build it runs from', () => {
    const compiled = folder('.dist-0123abcd', 'apps', 'mentor', 'src', 'dashboard');
    assert.equal(defaultDashboardDir(compiled), join(repo, '.dist-0123abcd', 'dashboard'));
    const image = folder('dist', 'apps', 'mentor', 'src', 'dashboard');
    assert.equal(defaultDashboardDir(image), join(repo, 'dist', 'dashboard'));
  });

  it('takes the current build’s dashboard when it runs from the sources', () => {
    const source = folder('apps', 'mentor', 'src', 'dashboard');
    assert.equal(defaultDashboardDir(source), join(repo, 'dist', 'dashboard'));
  });
});
