// What the test suite needs from the system, beyond Node.js and npm: checked before vitest starts, so a missing
// program fails at once with the command that fixes it instead of a suite erroring minutes later.
// As root on Debian/Ubuntu the programs are installed with apt-get, as .ci/run does.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** System programs the tests drive: the path they are run from, and the Debian package that provides it. */
export const REQUIREMENTS = [{ program: '/usr/bin/chromium', aptPackage: 'chromium', usedBy: 'the browser tests' }];

function present(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function canApt() {
  return process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function apt(args) {
  const run = spawnSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return run.status === 0;
}

/**
 * Makes sure every requirement is there. Returns the sentence to print when one is missing and cannot be
 * installed here, or undefined when all is ready.
 */
export function provision() {
  const missing = REQUIREMENTS.filter((r) => !present(r.program));
  if (missing.length === 0) return undefined;
  const packages = missing.map((r) => r.aptPackage);
  const command = `apt-get update && apt-get install -y ${packages.join(' ')}`;
  if (canApt()) {
    console.log(`Installing ${packages.join(', ')} for ${missing.map((r) => r.usedBy).join(' and ')}: ${command}`);
    if (apt(['update', '-qq']) && apt(['install', '-y', '-qq', ...packages])) {
      const still = missing.filter((r) => !present(r.program));
      if (still.length === 0) return undefined;
    }
  }
  const needs = missing.map((r) => `${r.program} (${r.usedBy})`).join(', ');
  return `The tests need ${needs}. Install it first, as root: ${command}`;
}
