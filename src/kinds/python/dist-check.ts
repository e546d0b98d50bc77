import path from 'node:path';
import { stackError } from './errors.js';
import { exec, type ExecContext } from '../../exec.js';
import type { PythonConfig } from './config.js';

/**
 * What a built distribution says about itself, checked before the tag: `twine check --strict` (the
 * checks an index applies to the metadata and the long description), and the `Version` in the
 * distribution's own metadata (wheel `METADATA`, sdist `PKG-INFO`) against the release's.
 */

// Fixed Python source; the files travel in argv. Prints one JSON object: the installed twine's
// version and, per file, the Name, Version and Metadata-Version headers of its metadata file.
const METADATA_PROBE = [
  'import json, sys, tarfile, zipfile',
  'from email.parser import HeaderParser',
  'def metadata_text(file):',
  '    if file.endswith(".whl"):',
  '        with zipfile.ZipFile(file) as archive:',
  '            names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]',
  '            return archive.read(names[0]).decode("utf-8") if len(names) == 1 else None',
  '    with tarfile.open(file, "r:gz") as archive:',
  '        for member in archive.getmembers():',
  '            if member.isfile() and member.name.count("/") == 1 and member.name.endswith("/PKG-INFO"):',
  '                return archive.extractfile(member).read().decode("utf-8")',
  '    return None',
  'try:',
  '    from importlib.metadata import version',
  '    twine = version("twine")',
  'except Exception:',
  '    twine = None',
  'files = {}',
  'for file in sys.argv[1:]:',
  '    try:',
  '        text = metadata_text(file)',
  '    except Exception as error:',
  '        files[file] = {"error": str(error)}',
  '        continue',
  '    if text is None:',
  '        files[file] = {"error": "it holds no metadata file"}',
  '        continue',
  '    headers = HeaderParser().parsestr(text)',
  '    files[file] = {"name": headers.get("Name"), "version": headers.get("Version"),',
  '                   "metadataVersion": headers.get("Metadata-Version")}',
  'print(json.dumps({"twine": twine, "files": files}))',
].join('\n');

export interface DistMetadata {
  name?: string | null;
  version?: string | null;
  metadataVersion?: string | null;
  error?: string;
}

export interface MetadataReport {
  twine: string | null;
  files: Record<string, DistMetadata>;
}

export async function readDistMetadata(
  config: Pick<PythonConfig, 'interpreter'>,
  ctx: ExecContext,
  files: readonly string[],
): Promise<MetadataReport> {
  const result = await exec(ctx, config.interpreter, ['-c', METADATA_PROBE, ...files], { quiet: true });
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as MetadataReport;
}

/**
 * A twine that reads each Metadata-Version newer than 2.1: 2.2 from 3.7 (twine#833); 2.3 and 2.4 from
 * 6.1, which parses metadata with packaging (twine#1180; before it, 2.3 needed pkginfo ≥ 1.10).
 */
const TWINE_FOR_METADATA: Record<string, string> = { '2.2': '3.7.0', '2.3': '6.1.0', '2.4': '6.1.0' };

const versionParts = (v: string) => v.split('.').map((n) => Number.parseInt(n, 10) || 0);
function older(installed: string, wanted: string): boolean {
  const [a, b] = [versionParts(installed), versionParts(wanted)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  }
  return false;
}

/** The advice to upgrade twine, when the distribution's Metadata-Version is newer than it reads. */
export function twineUpgrade(
  metadataVersion: string | null | undefined,
  twine: string | null,
): string | undefined {
  const needed = metadataVersion ? TWINE_FOR_METADATA[metadataVersion] : undefined;
  if (!needed || !twine || !older(twine, needed)) return undefined;
  return `The distribution has Metadata-Version ${metadataVersion}, which twine reads from ${needed} on; the interpreter has twine ${twine}: install \`twine>=${needed}\` (\`pip install --upgrade 'twine>=${needed}'\`).`;
}

/** twine's verdict without its framing and the terminal's line wrapping. */
function reasonOf(output: string, file: string): string {
  const text = output
    .replace(new RegExp(`Checking ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*`), '')
    .replace(/^\s*(FAILED( due to warnings)?)\s*$/gm, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
  const reason = text.replace(/\s+/g, ' ').replace(/\.$/, '');
  return reason.length > 400 ? `${reason.slice(0, 400)}…` : reason || 'no reason given';
}

async function twineCheck(
  config: Pick<PythonConfig, 'interpreter'>,
  ctx: ExecContext,
  file: string,
  report: MetadataReport,
): Promise<Error | undefined> {
  // One file per run: twine stops at the first distribution it cannot read.
  const result = await exec(
    ctx,
    config.interpreter,
    ['-m', 'twine', '--no-color', 'check', '--strict', '--', file],
    {
      quiet: true,
      reject: false,
      env: { NO_COLOR: '1', COLUMNS: '200' },
    },
  );
  const output = `${result.stdout}\n${result.stderr}`.trim();
  if (result.exitCode === 0) {
    ctx.logger.log('twine check --strict: %s passed', path.basename(file));
    return undefined;
  }
  const upgrade = /metadata/i.test(output)
    ? twineUpgrade(report.files[file]?.metadataVersion, report.twine)
    : undefined;
  return stackError('EPYTHONDISTCHECK', {
    file: path.basename(file),
    reason: reasonOf(output, file),
    output,
    ...(upgrade ? { upgrade } : {}),
  });
}

/**
 * Every built file: its own metadata names the release's PEP 440 version, and, when it is going to an
 * index, `twine check --strict` passes. All problems of all files are returned together.
 */
export async function checkDistributions(
  config: Pick<PythonConfig, 'interpreter' | 'publish'>,
  ctx: ExecContext,
  files: readonly string[],
  pep440: string,
): Promise<Error[]> {
  const report = await readDistMetadata(config, ctx, files);
  const checked = config.publish
    ? await Promise.all(files.map((f) => twineCheck(config, ctx, f, report)))
    : [];
  const errors: Error[] = checked.filter((e): e is Error => e !== undefined);
  for (const file of files) {
    const metadata = report.files[file];
    const found = metadata?.error ? `unreadable (${metadata.error})` : (metadata?.version ?? '(none)');
    if (found !== pep440) {
      errors.push(stackError('EPYTHONDISTVERSION', { file: path.basename(file), found, expected: pep440 }));
    }
  }
  return errors;
}
