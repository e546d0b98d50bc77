import SemanticReleaseError from '@semantic-release/error';

/**
 * The one error table, in parts: the shared codes here, each kind's own in its folder
 * (`kinds/<kind>/errors.ts`), merged by `errorTable` over the list of kinds. Each entry turns the
 * facts of a failure into a message (what went wrong) and Markdown details (why, and how to fix it).
 * Codes are public and stable: the README lists every one (the shared ones in its own table, a
 * kind's in the kind's chapter).
 */
export const README = 'https://github.com/semantic-release-stack/semantic-release-stack#';

type Params = Record<string, unknown>;
export type ErrorEntry = (p: Params) => { message: string; details: string };
export type ErrorTable = Record<string, ErrorEntry>;

export const s = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : String(v));

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
  ENOKINDS: (p) => ({
    message: 'semantic-release-stack has nothing to do: every kind is switched off.',
    details: `Enable at least one of ${s(p.kinds)}. See [options](${README}options).`,
  }),
  // --- versions ------------------------------------------------------------------------------
  EINVALIDVERSION: (p) => ({
    message: `Version \`${s(p.version)}\` cannot be rendered for ${s(p.target)}${p.neededBy ? ` (needed by ${s(p.neededBy)})` : ''}: ${s(p.reason)}.`,
    details: `semantic-release-stack renders one SemVer version in each ecosystem's grammar. ${s(p.fix ?? `Use prerelease identifiers of the form \`<channel>.<n>\`. See [versions](${README}versions).`)}`,
  }),
  EPRERELEASEMAP: (p) => ({
    message: `Prerelease channel \`${s(p.channel)}\` has no PEP 440 meaning${p.neededBy ? ` (needed by ${s(p.neededBy)})` : ''}.`,
    details: `${p.reason ? `${s(p.reason)}. ` : ''}PEP 440 knows alpha (a), beta (b) and release candidates (rc). ${s(p.fix ?? `Map the channel to one of them (a \`prereleaseMap\` such as \`{ "${s(p.channel)}": "rc" }\`), rename the prerelease branch's channel, or have the options named above use a rendering other than PEP 440 (\`{version}\` instead of \`{pep440}\`).`)} See [versions](${README}versions).`,
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
  ERESTOREFAILED: (p) => ({
    message: `Could not write \`${s(p.path)}\` (${s(p.reason)}), and could not restore ${s(p.files)}.`,
    details: `These files now hold the new version while the rest do not. Restore them with \`git checkout -- ${s(p.files)}\`, fix the cause (${s(p.restoreReason)}), then re-run.`,
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
  EMISSINGASSET: (p) => ({
    message: `The release artifact \`${s(p.path)}\` cannot be published: ${s(p.problem)}.`,
    details: `publish sends exactly the files prepare built and recorded in the release manifest (with their sha256). Something removed or changed it in between — a cleanup step, another job. Nothing was published. Run prepare and publish in one job; after a lost job use \`semantic-release-stack publish --tag\`. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EMANIFESTMISSING: (p) => ({
    message: `No release manifest for ${s(p.version)} in \`${s(p.dir)}\`.`,
    details: `publish and success read what prepare built from the release manifest. Run the whole release (prepare creates it), or re-create the artifacts at the tag. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EWORKFLOWOUTPUT: (p) => ({
    message: `Cannot write the workflow outputs to the file \`${s(p.variable)}\` names: ${s(p.reason)}.`,
    details: `GitHub Actions names a file for each step's outputs in \`${s(p.variable)}\`; this run could not append to it, so later steps would not learn what was released. Nothing was released. Run semantic-release as a step of its own (not inside a container that lacks the runner's file), or unset \`${s(p.variable)}\` outside GitHub Actions. See [GitHub Actions](${README}github-actions).`,
  }),
  // --- network -------------------------------------------------------------------------------
  EPROXY: (p) => ({
    message: `The proxy ${p.proxy ? `${s(p.proxy)} (from \`${s(p.variable)}\`)` : `in \`${s(p.variable)}\``} could not be used: ${s(p.reason)}.`,
    details: `semantic-release-stack sends every request to a host not listed in \`NO_PROXY\` through the proxy in \`HTTP_PROXY\` (http:// URLs) or \`HTTPS_PROXY\` (https:// URLs), read in either case from the environment semantic-release runs in${p.url ? `; the first request it could not carry was to ${s(p.url)}` : ''}. Start the proxy or correct \`${s(p.variable)}\` (with \`user:password@\` if it asks for credentials), or list the hosts to reach directly in \`NO_PROXY\` (comma-separated host names, \`.domain\` suffixes, \`host:port\`). See [environment variables](${README}environment-variables).`,
  }),
  // --- git -----------------------------------------------------------------------------------
  EHISTORYREWRITTEN: (p) => ({
    message: `Tag(s) ${s(p.tags)} exist but no release branch reaches them, and ${s(p.version)} would not be above them.`,
    details: `The history of \`${s(p.branch)}\` was probably rewritten (force-pushed) after those releases. Releasing now would publish ${s(p.version)} again or collide with an existing tag. Restore the rewritten commits, or — if those releases were never published — delete the tags (\`git push origin :refs/tags/<tag>\`) deliberately. Never delete the tag of a published release. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ECONCURRENT: (p) => ({
    message: `Another release of ${s(p.tag)} is publishing it; this run stops before publishing anything.`,
    details: `Two runs released the same version at once (semantic-release has no lock). The first to push \`${s(p.ref)}\` publishes; this one pushed its tag too, but that tag is the same one. Nothing was published by this run. Let the other run finish; if it failed, finish the release with \`semantic-release-stack publish --tag ${s(p.tag)}\`. Serialize releases in CI (e.g. GitHub Actions \`concurrency\`). See [failure and recovery](${README}failure-and-recovery).`,
  }),
  // --- resumed publish (`semantic-release-stack publish --tag`) -------------------------------
  ERESUMECONFIG: (p) => ({
    message: `Cannot read the release configuration: ${s(p.reason)}.`,
    details: `\`semantic-release-stack publish --tag\` takes the options the interrupted run recorded; \`--config <file>\` replaces them with that file's (JSON, YAML or JS, with its \`extends\`). Fix the file or leave \`--config\` out. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ERESUMENOSTACK: (p) => ({
    message: `The release configuration \`${s(p.file)}\` does not use semantic-release-stack.`,
    details: `Its \`plugins\` list neither \`semantic-release-stack\` nor one of \`semantic-release-stack/<kind>\`, so there is nothing to publish. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ERESUMETAG: (p) => ({
    message: `Cannot resume the release of \`${s(p.tag)}\`: ${s(p.reason)}.`,
    details: `Give the tag semantic-release created for the release, e.g. \`semantic-release-stack publish --tag v1.4.0\`. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ERESUMENORECORD: (p) => ({
    message: `Cannot resume the release of \`${s(p.tag)}\`: there is no record of it to continue (${s(p.reason)}).`,
    details: `\`semantic-release-stack publish --tag\` continues what the interrupted run recorded before it published anything: its claim on the tag, \`refs/semantic-release-stack/releases/<tag>\` on the remote, holds the branch, the channel, the commits and the options. No claim: the run stopped before this package published anything, so there is nothing to continue — delete the tag (\`git push origin :refs/tags/<tag>\`, \`git tag -d <tag>\`) and run semantic-release again. A claim without a record was made by an older semantic-release-stack: finish it with that version (\`npx semantic-release-stack@<that version> publish --tag <tag>\`). See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EGITHUBRELEASE: (p) => ({
    message: `Cannot complete the GitHub release of \`${s(p.tag)}\`: ${s(p.reason)}.`,
    details: `\`semantic-release-stack publish --tag\` finds the release by its tag (a draft too), uploads the assets it lacks and publishes it, through the API @semantic-release/github would use (\`githubApiUrl\`/\`githubUrl\` options, \`GITHUB_API_URL\`/\`GH_URL\`) with \`GH_TOKEN\` or \`GITHUB_TOKEN\`, which needs write access to the repository's contents. Fix the cause and run the command again: what is already there is kept. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EGITHUBASSETCONFLICT: (p) => ({
    message: `The GitHub release \`${s(p.tag)}\` already has \`${s(p.name)}\` with other content (${s(p.remote)}, here ${s(p.local)}).`,
    details: `A released file is never replaced, so nothing was uploaded or changed. The artifacts re-created at the tag differ from those the release already holds (a build that is not reproducible, or an asset uploaded by hand). Check which one is right; to replace it, delete the asset on GitHub yourself and run the command again. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  // --- signing, provenance and SBOMs (src/sign/) ---------------------------------------------
  ESIGNNOIDENTITY: () => ({
    message: '`sign` is on but there is no OIDC identity to sign with.',
    details: `Signing is keyless: Fulcio certifies an ephemeral key for the identity of an OIDC ID token. In GitHub Actions give the release job \`permissions: id-token: write\` (the token is then requested for the audience \`sigstore\`); elsewhere set \`SIGSTORE_ID_TOKEN\` to an ID token for the audience \`sigstore\` from your CI's OIDC provider. Or set \`"sign": false\`. See [signing](${README}signing-provenance-and-sboms).`,
  }),
  ESIGNIDPERMISSION: (p) => ({
    message: 'This GitHub Actions job cannot get an OIDC ID token: it lacks `permissions: id-token: write`.',
    details: `ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are only given to a job allowed to ask for an ID token. Add to the release job of ${s(p.workflow)}:\n\n\`\`\`yaml\npermissions:\n  contents: write\n  id-token: write\n\`\`\`\n\n(Pull requests from forks never get one.) Nothing was built or signed. See [signing](${README}signing-provenance-and-sboms).`,
  }),
  ESIGNIDTOKEN: (p) => ({
    message: `The OIDC ID token from ${s(p.source)} cannot be used for signing: ${s(p.problem)}.`,
    details: `Fulcio certifies the identity of an unexpired ID token whose audience is \`sigstore\`. Give the release a fresh token for that audience (tokens live minutes: mint it right before the release). See [signing](${README}signing-provenance-and-sboms).`,
  }),
  ESIGNFAILED: (p) => ({
    message: `Signing ${s(p.what)} failed: ${s(p.reason)}.`,
    details: `Signatures are made with Fulcio (${s((p.config as { fulcioUrl?: string } | undefined)?.fulcioUrl)}) and logged in Rekor (${s((p.config as { rekorUrl?: string } | undefined)?.rekorUrl)})${(p.config as { tsaUrl?: string } | undefined)?.tsaUrl ? ` with a timestamp from ${s((p.config as { tsaUrl?: string }).tsaUrl)}` : ''}. Check that they are reachable and that the ID token is accepted, then finish the release with \`semantic-release-stack publish --tag <tag>\`: what is already signed is kept. See [signing](${README}signing-provenance-and-sboms).`,
  }),
  ESIGNREGISTRY: (p) => ({
    message: `Could not ${s(p.action)} for \`${s(p.ref)}\`: ${s(p.reason)}.`,
    details: `Signatures, provenance and SBOMs are attached to images and charts as OCI referrers (the referrers API, or the tag schema \`sha256-<digest>\` on a registry without it), with the registry credentials the kind pushes with. Check that they may push to the repository, then finish the release with \`semantic-release-stack publish --tag <tag>\`: referrers already there are kept. See [signing](${README}signing-provenance-and-sboms).`,
  }),
  EVERIFYSETUP: (p) => ({
    message: `Cannot verify ${s(p.target)}: ${s(p.reason)}.`,
    details: `\`semantic-release-stack verify <tag | image ref | file>\` needs a trusted root (the public one through TUF, or \`--trusted-root FILE\`), the identity that signed (\`--identity\`, \`--issuer\`; for a tag or a repository with a GitHub remote the release workflow of that repository is the default), and for a tag the GitHub release. See [signing](${README}signing-provenance-and-sboms).`,
  }),
} satisfies ErrorTable;

/** A shared code (this module's table). */
export type ErrorCode = keyof typeof ERRORS;

export type StackError = SemanticReleaseError & { code: string; details: string };

function build(code: string, entry: ErrorEntry, params: Params): StackError {
  const { message, details } = entry(params);
  const error = new SemanticReleaseError(message, code, details) as StackError;
  // A coded error is an expected condition with its fix in `details`: semantic-release's CLI prints
  // `util.inspect` of every failure, and internal stack frames would only bury that fix.
  error.stack = `${error.name}: ${message}`;
  return error;
}

/** Builds the SemanticReleaseError of a shared code. */
export function stackError(code: ErrorCode, params: Params = {}): StackError {
  return build(code, ERRORS[code], params);
}

/**
 * The error builder of one kind: its own codes (`table`) and the shared ones. A kind's modules import
 * it from the kind's own errors.ts under the same name, `stackError`.
 */
export function errorFactory<T extends ErrorTable>(table: T) {
  return (code: ErrorCode | (keyof T & string), params: Params = {}): StackError => {
    const entry = Object.hasOwn(table, code) ? table[code] : ERRORS[code as ErrorCode];
    return build(code, entry!, params);
  };
}

/**
 * The one table: the shared codes and every kind's, each code once. A code defined twice is a
 * programming error, found by the first test that loads the list of kinds.
 */
export function errorTable(kindTables: readonly ErrorTable[]): ErrorTable {
  const merged: ErrorTable = { ...ERRORS };
  for (const table of kindTables) {
    for (const [code, entry] of Object.entries(table)) {
      if (Object.hasOwn(merged, code)) throw new Error(`error code ${code} is defined twice`);
      merged[code] = entry;
    }
  }
  return merged;
}

export function isStackError(error: unknown): error is StackError {
  return error instanceof Error && (error as { semanticRelease?: unknown }).semanticRelease === true;
}

/**
 * Throws every collected problem at once, the way semantic-release shows them, each once: kinds that
 * meet the same cause (one proxy down for the registry, the index and GitHub) report it alike.
 */
export function throwAll(all: readonly Error[]): void {
  const seen = new Set<string>();
  const errors = all.filter((e) => {
    const key = `${(e as { code?: unknown }).code ?? ''}\n${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
}
