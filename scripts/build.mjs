/**
 * `npm run build`: compiles the TypeScript sources into a new folder and swaps it in atomically.
 *
 * - Each build goes to `.dist-<fingerprint>` (a hash of every source file tsc reads, the
 *   dashboard's sources and config, the tsconfig files, the lockfile and this script); `dist`
 *   is a symbolic link to the current one, replaced with one rename.
 * - The services are compiled by tsc; the web dashboard (apps/dashboard, its own tsconfig) is
 *   type-checked and bundled by Vite into `<build>/dashboard/`, for the Mentor to serve. A process that is running keeps loading its files (Node resolves
 *   them to the real folder) while another build lands beside it.
 * - With nothing changed the build is found already made and the compile is skipped.
 * - Builds run one at a time (a lock file); a second `npm run build` waits and then finds the
 *   first one's result.
 * - Older builds are removed once no process runs from them (checked in /proc), never the one
 *   that was current until this build.
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const ROOT = path.resolve(import.meta.dirname, '..');
const LINK = path.join(ROOT, 'dist');
const CONFIG = path.join(ROOT, 'tsconfig.build.json');
const PREFIX = '.dist-';
const LOCK = path.join(ROOT, '.dist.lock');
const LOCK_DEADLINE_MS = 10 * 60_000;
const DASHBOARD = path.join(ROOT, 'apps', 'dashboard');
/** The dashboard's e2e specs are compiled with the services (root tsconfig), not bundled. */
const DASHBOARD_SKIP = new Set(['test', 'node_modules']);

function log(line) {
  process.stderr.write(`build: ${line}\n`);
}

/** Every file of the dashboard that Vite or its type check reads (all but its tests). */
function dashboardFiles(dir = DASHBOARD) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (dir === DASHBOARD && DASHBOARD_SKIP.has(entry.name)) continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...dashboardFiles(file));
    else found.push(file);
  }
  return found;
}

/** What tsc and Vite read from the repository, and everything else that changes the output. */
function inputFiles() {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(CONFIG, {}, host);
  return [
    ...parsed.fileNames,
    ...dashboardFiles(),
    CONFIG,
    path.join(ROOT, 'tsconfig.json'),
    path.join(ROOT, 'package-lock.json'),
    path.join(ROOT, 'package.json'),
    new URL(import.meta.url).pathname,
  ]
    .map((file) => path.resolve(file))
    .sort();
}

function fingerprint(files) {
  const hash = createHash('sha256').update(`typescript ${ts.version}\0`);
  for (const file of files) {
    hash.update(`${path.relative(ROOT, file)}\0`);
    hash.update(fs.existsSync(file) ? fs.readFileSync(file) : '(none)');
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function currentBuild() {
  try {
    return fs.lstatSync(LINK).isSymbolicLink() ? fs.readlinkSync(LINK) : undefined;
  } catch {
    return undefined;
  }
}

function run(command, args, cwd = ROOT) {
  const result = spawnSync(process.execPath, [command, ...args], {
    cwd,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    throw new Error(`${path.basename(command)} failed (exit ${result.status ?? result.signal})`);
  }
}

function compile(target) {
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    run(require.resolve('typescript/bin/tsc'), ['-p', CONFIG, '--outDir', tmp]);
    run(
      path.join(path.dirname(require.resolve('tsc-alias/package.json')), 'dist', 'bin', 'index.js'),
      ['-p', CONFIG, '--outDir', tmp],
    );
    buildDashboard(path.join(tmp, 'dashboard'));
    fs.renameSync(tmp, target);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Type-checks the dashboard (Vite only strips types) and bundles it into `outDir`. */
function buildDashboard(outDir) {
  run(require.resolve('typescript/bin/tsc'), ['-p', path.join(DASHBOARD, 'tsconfig.json')]);
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  run(vite, ['build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], DASHBOARD);
}

/** Points `dist` at the build with one rename, so no reader ever finds it missing. */
function swapIn(name) {
  let stat;
  try {
    stat = fs.lstatSync(LINK);
  } catch {
    stat = undefined;
  }
  // A `dist` folder from before builds were swapped in: moved aside, removed below when unused.
  if (stat && !stat.isSymbolicLink())
    fs.renameSync(LINK, path.join(ROOT, `${PREFIX}old-${process.pid}`));
  const tmpLink = `${LINK}.link-${process.pid}`;
  fs.rmSync(tmpLink, { force: true });
  fs.symlinkSync(name, tmpLink);
  fs.renameSync(tmpLink, LINK);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Folders some process runs from: its command line names a file inside one. */
function buildsInUse() {
  const used = new Set();
  let pids;
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let cmdline;
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    for (const match of cmdline.matchAll(/\.dist-[A-Za-z0-9-]+/g)) used.add(match[0]);
  }
  return used;
}

function prune(keep) {
  const used = buildsInUse();
  // Without /proc nothing tells which builds are in use: keep them all.
  if (!used) return;
  for (const name of fs.readdirSync(ROOT)) {
    if (!name.startsWith(PREFIX) || keep.includes(name) || used.has(name)) continue;
    const tmp = /\.tmp-(\d+)$/.exec(name);
    if (tmp && isAlive(Number(tmp[1]))) continue;
    fs.rmSync(path.join(ROOT, name), { recursive: true, force: true });
  }
}

/** A lock file holding the builder's pid; one left by a process that died is taken over. */
async function withLock(fn) {
  const deadline = Date.now() + LOCK_DEADLINE_MS;
  let told = false;
  for (;;) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let holder;
    try {
      holder = Number.parseInt(fs.readFileSync(LOCK, 'utf8'), 10);
    } catch {
      continue;
    }
    const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    // An empty file is a writer caught between create and write; give it a moment.
    if (
      (Number.isInteger(holder) && !isAlive(holder)) ||
      (!Number.isInteger(holder) && age > 5_000)
    ) {
      fs.rmSync(LOCK, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`);
    if (!told) log(`waiting for the build in process ${holder}`);
    told = true;
    await delay(100);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK, { force: true });
  }
}

async function main() {
  const started = Date.now();
  await withLock(async () => {
    const name = `${PREFIX}${fingerprint(inputFiles())}`;
    const target = path.join(ROOT, name);
    const previous = currentBuild();
    if (fs.existsSync(target)) {
      if (previous === name) {
        log(`up to date (${name}), compile skipped`);
        return;
      }
      log(`reusing ${name}, built earlier from the same sources`);
    } else {
      compile(target);
      log(`compiled into ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    swapIn(name);
    prune(previous ? [name, previous] : [name]);
  });
}

main().catch((error) => {
  log(error.message);
  process.exit(1);
});
