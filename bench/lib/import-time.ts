/** The plugin's marginal import cost inside semantic-release, measured in fresh node processes. */
import { execFileSync } from 'node:child_process';
import { PROJECT_ROOT } from './env.js';

/** What semantic-release has loaded before it loads the stack: itself and the preset's other plugins. */
export const ALREADY_LOADED = [
  'semantic-release',
  '@semantic-release/commit-analyzer',
  '@semantic-release/release-notes-generator',
  '@semantic-release/changelog',
  '@semantic-release/git',
  '@semantic-release/github',
];

/**
 * Import time of a module in a fresh node process (ms), after ALREADY_LOADED: the plugin's marginal
 * load cost inside semantic-release (shared dependencies such as execa and semver are loaded by then).
 * Without `spec`, the same process importing nothing after them (the reference to subtract).
 */
export function importMs(spec: string | undefined): number {
  const code = [
    `for (const m of ${JSON.stringify(ALREADY_LOADED)}) await import(m);`,
    'const t = performance.now();',
    spec ? `await import(${JSON.stringify(spec)});` : '',
    'console.log(performance.now() - t);',
  ].join('\n');
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      encoding: 'utf8',
      cwd: PROJECT_ROOT,
    }).trim(),
  );
}
