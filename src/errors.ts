import SemanticReleaseError from '@semantic-release/error';

/**
 * The one error table. Each entry turns the facts of a failure into a message (what went wrong) and
 * Markdown details (why, and how to fix it). Codes are public and stable: the README lists every one.
 */
const README = 'https://github.com/semantic-release-stack/semantic-release-stack#';

type Params = Record<string, unknown>;
type Entry = (p: Params) => { message: string; details: string };

const s = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : String(v));

export const ERRORS = {
  // --- options -------------------------------------------------------------------------------
  EINVALIDOPTION: (p) => ({
    message: `Invalid option \`${s(p.option)}\`: ${s(p.problem)}.`,
    details: `Fix \`${s(p.option)}\` in the semantic-release-stack configuration. See [options](${README}options).`,
  }),
  EUNKNOWNOPTION: (p) => ({
    message: `Unknown option \`${s(p.option)}\`.`,
    details: `\`${s(p.option)}\` is not an option of \`${s(p.kind)}\`${p.suggestion ? `; did you mean \`${s(p.suggestion)}\`?` : '.'} Known options: ${s(p.known)}. See [options](${README}options).`,
  }),
  ENOKINDS: () => ({
    message: 'semantic-release-stack has nothing to do: every kind is switched off.',
    details: `Enable at least one of \`python\`, \`docs\`, \`docker\`, \`helm\`, \`devVersion\`. See [options](${README}options).`,
  }),
  // --- versions ------------------------------------------------------------------------------
  EINVALIDVERSION: (p) => ({
    message: `Version \`${s(p.version)}\` cannot be rendered for ${s(p.target)}: ${s(p.reason)}.`,
    details: `semantic-release-stack renders one SemVer version in each ecosystem's grammar. ${s(p.fix ?? `Use prerelease identifiers of the form \`<channel>.<n>\`. See [versions](${README}versions).`)}`,
  }),
  EPRERELEASEMAP: (p) => ({
    message: `Prerelease channel \`${s(p.channel)}\` has no PEP 440 meaning.`,
    details: `PEP 440 knows alpha (a), beta (b) and release candidates (rc). Map the channel, e.g. \`"python": { "prereleaseMap": { "${s(p.channel)}": "rc" } }\`, or rename the prerelease branch's channel. See [versions](${README}versions).`,
  }),
  // --- files ---------------------------------------------------------------------------------
  EVERSIONFILEMISSING: (p) => ({
    message: `Version file \`${s(p.path)}\` does not exist.`,
    details: `Create it, or fix the path in \`${s(p.option)}\`. Paths are relative to the repository root. See [version files](${README}version-files).`,
  }),
  EINVALIDVERSIONFILE: (p) => ({
    message: `Version file \`${s(p.path)}\` cannot be parsed: ${s(p.reason)}.`,
    details: `Fix the syntax of \`${s(p.path)}\`; nothing was written. See [version files](${README}version-files).`,
  }),
  EVERSIONKEYMISSING: (p) => ({
    message: `Version file \`${s(p.path)}\` has no \`${s(p.key)}\` to update.`,
    details: `Add \`${s(p.key)}\` to \`${s(p.path)}\` (any value; the release overwrites it), or point the option at the key that holds the version. ${s(p.hint ?? '')} See [version files](${README}version-files).`,
  }),
  EUNKNOWNFILETYPE: (p) => ({
    message: `Cannot tell how to edit \`${s(p.path)}\`.`,
    details: `Version files are recognised by name: \`*.json\`, \`*.yaml\`/\`*.yml\`, \`pyproject.toml\`, \`setup.cfg\`, \`*.py\` (a \`__version__\` assignment). Give \`{ "path": "${s(p.path)}", "type": "json" }\` to say which. See [version files](${README}version-files).`,
  }),
  EPATHOUTSIDEREPO: (p) => ({
    message: `Path \`${s(p.path)}\` (option \`${s(p.option)}\`) leads outside the repository.`,
    details: `Every path semantic-release-stack reads or writes must stay inside the repository root \`${s(p.root)}\`, also after following symbolic links. Use a path relative to the root with no \`..\`.`,
  }),
  ESYMLINKTARGET: (p) => ({
    message: `Refusing to write \`${s(p.path)}\`: it is a symbolic link.`,
    details: `Writing through a link can change files elsewhere. Point \`${s(p.option)}\` at the real file.`,
  }),
  EWRITEFAILED: (p) => ({
    message: `Could not write \`${s(p.path)}\`: ${s(p.reason)}.`,
    details: `The files changed before the failure were restored. Check free disk space and permissions, then re-run.`,
  }),
  // --- child processes -----------------------------------------------------------------------
  ECOMMANDFAILED: (p) => ({
    message: `\`${s(p.command)}\` failed${p.exitCode === undefined ? '' : ` with exit code ${s(p.exitCode)}`}.`,
    details: `Output of the command:\n\n\`\`\`\n${s(p.output)}\n\`\`\``,
  }),
  ECOMMANDNOTFOUND: (p) => ({
    message: `\`${s(p.command)}\` was not found.`,
    details: `${s(p.install ?? 'Install it or put it on PATH.')}`,
  }),
  // --- git / dev version ---------------------------------------------------------------------
  EDEVBUMP: (p) => ({
    message: `Could not commit or push the next development version ${s(p.version)}: ${s(p.reason)}.`,
    details: `The release itself is complete. Write ${s(p.version)} into the version files and push it by hand, or re-run the \`success\` step. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EDEVBUMPCONFLICT: (p) => ({
    message: `The next development version commit conflicts with new commits on \`${s(p.branch)}\`.`,
    details: `Another commit changed the same version files after ${s(p.attempts)} attempt(s). semantic-release-stack never force-pushes. Set the development version ${s(p.version)} by hand. See [failure and recovery](${README}failure-and-recovery).`,
  }),
} satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERRORS;

export type StackError = SemanticReleaseError & { code: ErrorCode; details: string };

/** Builds the SemanticReleaseError for `code` from the table. */
export function stackError(code: ErrorCode, params: Params = {}): StackError {
  const { message, details } = (ERRORS[code] as Entry)(params);
  return new SemanticReleaseError(message, code, details) as StackError;
}

export function isStackError(error: unknown): error is StackError {
  return error instanceof Error && (error as { semanticRelease?: unknown }).semanticRelease === true;
}

/** Throws every collected problem at once, the way semantic-release shows them. */
export function throwAll(errors: readonly Error[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
}
