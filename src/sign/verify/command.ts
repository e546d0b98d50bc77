import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stackError } from '../../errors.js';
import { exec, type ExecContext } from '../../exec.js';
import { githubTarget, ownerAndRepo } from '../../github/target.js';
import { silentLogger } from '../../logger.js';
import { createRedactor } from '../../redact.js';
import { PROVENANCE_FILE, SIGNATURE_FILE } from '../files.js';
import { registryOfRef } from '../registries.js';
import { verifyFiles } from './files.js';
import { verifyPushed } from './pushed.js';
import { formatVerdicts, type Verdict } from './report.js';
import { verifyTag } from './tag.js';
import { VERIFY_USAGE } from './usage.js';
import { bundleVerifier, loadTrustedRoot, parseIdentity, workflowIdentity, type Identity } from './trust.js';

/** GitHub Actions' OIDC issuer: what a release workflow's certificate names by default. */
export const ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

interface Io {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
}

type Target = { kind: 'file'; file: string } | { kind: 'ref'; ref: string } | { kind: 'tag'; tag: string };

function targetOf(value: string, cwd: string): Target {
  const file = path.resolve(cwd, value);
  if (existsSync(file) && statSync(file).isFile()) return { kind: 'file', file };
  if (value.startsWith('oci://') || value.includes('/')) return { kind: 'ref', ref: value };
  return { kind: 'tag', tag: value };
}

async function repositoryUrl(
  cwd: string,
  env: Io['env'],
  given: string | undefined,
): Promise<string | undefined> {
  if (given) return /^[^/:]+\/[^/]+$/.test(given) ? `https://github.com/${given}.git` : given;
  const ctx: ExecContext = { cwd, env, logger: silentLogger, redactor: createRedactor(env) };
  const origin = await exec(ctx, 'git', ['config', '--get', 'remote.origin.url'], {
    quiet: true,
    reject: false,
  }).catch(() => undefined);
  return origin?.exitCode === 0 ? origin.stdout.trim() : undefined;
}

/** `semantic-release-stack verify …`: one line per checked artifact; exit status 1 on any failure. */
export async function verifyCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'trusted-root': { type: 'string' },
      identity: { type: 'string' },
      issuer: { type: 'string' },
      repository: { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    io.stderr(`${VERIFY_USAGE}\n`);
    return 2;
  }
  const target = targetOf(positionals[0]!, io.cwd);
  const repoUrl = await repositoryUrl(io.cwd, io.env, values.repository);
  const names = repoUrl ? ownerAndRepo(repoUrl) : undefined;
  const server = io.env.GITHUB_SERVER_URL ?? 'https://github.com';
  const san = values.identity
    ? parseIdentity(values.identity)
    : names
      ? workflowIdentity(server, names.owner, names.repo)
      : undefined;
  if (!san)
    throw stackError('EVERIFYSETUP', {
      target: positionals[0],
      reason:
        'no identity to pin: give `--identity` (the signer certificate SAN) or `--repository owner/repo`',
    });
  const identity: Identity = { san, issuer: values.issuer ?? ACTIONS_ISSUER };
  const verifier = bundleVerifier(await loadTrustedRoot(values['trusted-root']), identity);
  io.stderr(
    `Verifying ${positionals[0]} for the identity ${String(identity.san)} (issuer ${identity.issuer})\n`,
  );

  let verdicts: Verdict[];
  if (target.kind === 'file') verdicts = await verifyLocalFile(verifier, target.file);
  else if (target.kind === 'ref') {
    const location = registryOfRef(target.ref, io.env);
    if (!location)
      throw stackError('EVERIFYSETUP', { target: target.ref, reason: 'it is not an image reference' });
    verdicts = await verifyPushed(
      verifier,
      location,
      target.ref.startsWith('oci://') ? 'chart' : 'image',
      target.ref,
    );
  } else {
    const github = repoUrl ? githubTarget({}, io.env, repoUrl) : undefined;
    if (!github)
      throw stackError('EVERIFYSETUP', {
        target: target.tag,
        reason:
          'no GitHub repository: run it in a clone with a GitHub `origin`, or give `--repository owner/repo`',
      });
    verdicts = await verifyTag(verifier, github, target.tag, io.env);
  }
  io.stdout(formatVerdicts(verdicts));
  const bad = verdicts.filter((v) => !v.ok).length;
  io.stderr(bad ? `${bad} of ${verdicts.length} checks FAILED\n` : `All ${verdicts.length} checks passed\n`);
  return bad || verdicts.length === 0 ? 1 : 0;
}

async function verifyLocalFile(
  verifier: ReturnType<typeof bundleVerifier>,
  file: string,
): Promise<Verdict[]> {
  const dir = path.dirname(file);
  const read = (name: string) => readFile(path.join(dir, name)).catch(() => undefined);
  const json = async (name: string) => {
    const bytes = await read(name);
    return bytes ? (JSON.parse(bytes.toString('utf8')) as unknown) : undefined;
  };
  const base = path.basename(file);
  const { verdicts } = await verifyFiles(verifier, {
    sums: await read('SHA256SUMS'),
    sumsBundle: await json(SIGNATURE_FILE),
    provenanceBundle: await json(PROVENANCE_FILE),
    read,
    provenanceOptional: true,
    ...(base === 'SHA256SUMS' ? {} : { only: base }),
  });
  return verdicts;
}
