#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { formatResumeError, publishCommand } from './core/resume-cli.js';
import { VERIFY_USAGE } from './sign/verify/usage.js';
import { renderVersion, type BranchKind } from './version.js';

const USAGE = `usage: semantic-release-stack versions <semver> [--prerelease-map next=rc,...] [--branch release|maintenance|prerelease]
       semantic-release-stack publish --tag <tag> [--config <file>] [--dry-run] [--branch <name>] [--git-head <commit>]
       ${VERIFY_USAGE.replace('usage: ', '')}`;

/** `versions`: every rendering of one SemVer version, as one JSON object. */
function versions(args: string[]): number {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'prerelease-map': { type: 'string' }, branch: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new Error(USAGE);
  const prereleaseMap = Object.fromEntries(
    (values['prerelease-map'] ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [channel, phase] = pair.split('=');
        if (!channel || !phase) throw new Error(`--prerelease-map takes channel=phase pairs, got "${pair}"`);
        return [channel.trim(), phase.trim()];
      }),
  );
  const branch = (values.branch ?? 'release') as BranchKind;
  if (!['release', 'maintenance', 'prerelease'].includes(branch))
    throw new Error(`unknown --branch ${branch}`);
  const r = renderVersion(positionals[0]!, { prereleaseMap, branch });
  const out = {
    semver: r.semver,
    pep440: r.pep440,
    imageTag: r.imageTag,
    chartVersion: r.chartVersion,
    appVersion: r.appVersion,
    nextDev: r.nextDev,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  return 0;
}

/**
 * `publish --tag vX.Y.Z`: finishes a release whose publish failed after its tag was pushed. A CLI
 * has no semantic-release context: its own environment is the context's env, read here only.
 */
async function publish(args: string[]): Promise<number> {
  try {
    // eslint-disable-next-line no-restricted-syntax -- the CLI's environment is the release env
    return await publishCommand(args, { cwd: process.cwd(), env: { ...process.env } });
  } catch (error) {
    process.stderr.write(formatResumeError(error));
    return 1;
  }
}

/** `verify <tag | image ref | file>`: the signatures and provenance of a release, one line per artifact. */
async function verify(args: string[]): Promise<number> {
  // eslint-disable-next-line no-restricted-syntax -- the CLI's environment is its context
  const env = { ...process.env };
  try {
    // Loaded on use: the Sigstore libraries are not needed by the other commands.
    const { verifyCommand } = await import('./sign/verify/command.js');
    return await verifyCommand(args, {
      cwd: process.cwd(),
      env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    });
  } catch (error) {
    process.stderr.write(formatResumeError(error));
    return 1;
  }
}

const COMMANDS: Record<string, (args: string[]) => number | Promise<number>> = { versions, publish, verify };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (error) {
    process.stderr.write(`${(error as Error).message.split('\n')[0]}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
