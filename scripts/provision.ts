// Installs the system software the test suite runs for real (Redis, PostgreSQL,
// Chromium, nginx) from Debian's packages when it is missing. Run before vitest
// by `npm test`; a no-op in ~0.1 s when everything is there.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

interface Requirement {
  /** What the tests need, as a person would name it. */
  what: string;
  present: () => boolean;
  /** Debian packages that provide it. */
  packages: string[];
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// sbin directories are searched too: a non-root PATH often lacks them.
function onPath(name: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  return dirs.some((dir) => dir !== '' && isExecutable(join(dir, name)));
}

function postgresServerPresent(): boolean {
  const tools = ['initdb', 'pg_ctl', 'postgres'];
  if (tools.every(onPath)) return true;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return false;
  return readdirSync(root).some((version) => tools.every((tool) => isExecutable(join(root, version, 'bin', tool))));
}

const requirements: Requirement[] = [
  { what: 'redis-server', present: () => onPath('redis-server'), packages: ['redis-server'] },
  { what: 'PostgreSQL server (initdb, pg_ctl, postgres)', present: postgresServerPresent, packages: ['postgresql'] },
  { what: '/usr/bin/chromium', present: () => isExecutable('/usr/bin/chromium'), packages: ['chromium'] },
  // Without a font package headless Chromium renders tofu and layout-dependent tests drift.
  {
    what: 'fonts for Chromium',
    present: () => existsSync('/usr/share/fonts/truetype/liberation'),
    packages: ['fonts-liberation'],
  },
  // The widget ships Chinese and Japanese (test/browser/widget-languages.test.ts): without a CJK font they are tofu on screenshots.
  {
    what: 'CJK fonts for Chromium',
    present: () => existsSync('/usr/share/fonts/truetype/wqy'),
    packages: ['fonts-wqy-zenhei'],
  },
  { what: 'nginx', present: () => onPath('nginx'), packages: ['nginx'] },
];

function run(command: string, args: string[]): boolean {
  console.log(`provision: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) console.error(`provision: ${command} failed to start: ${result.error.message}`);
  return result.status === 0;
}

// Package scripts must not start system-wide daemons (port 6379, 5432, 80) that
// would outlive the test run: a policy-rc.d answering 101 forbids it. Keep one
// that is already there.
function installWithoutStartingServices(packages: string[]): boolean {
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !existsSync(policy);
  if (ours) writeFileSync(policy, '#!/bin/sh\n# written by parley scripts/provision.ts while it installs\nexit 101\n', { mode: 0o755 });
  try {
    return run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages]);
  } finally {
    if (ours) rmSync(policy, { force: true });
  }
}

function main(): number {
  if (process.env.PARLEY_SKIP_PROVISION === '1') return 0;
  const missing = requirements.filter((r) => !r.present());
  if (missing.length === 0) return 0;

  const names = missing.map((r) => r.what).join(', ');
  const packages = [...new Set(missing.flatMap((r) => r.packages))];
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !onPath('apt-get')) {
    console.error(
      `provision: MISSING ${names}.\n` +
        `provision: not root with apt-get, so nothing was installed; the tests that need them will fail.\n` +
        `provision: install them with: sudo apt-get install --no-install-recommends ${packages.join(' ')}`,
    );
    return 0;
  }

  console.log(`provision: installing ${packages.join(' ')} for ${names}`);
  const ok = run('apt-get', ['update', '-q']) && installWithoutStartingServices(packages);
  const still = requirements.filter((r) => !r.present()).map((r) => r.what);
  if (!ok || still.length > 0) {
    // Exit 0 all the same: the tests that need these fail with their own message,
    // the rest of the suite still runs.
    console.error(`provision: FAILED to install ${still.join(', ') || packages.join(' ')}; the tests that need them will fail.`);
  }
  return 0;
}

process.exitCode = main();
