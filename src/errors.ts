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
    details: `${p.reason ? `${s(p.reason)}. ` : ''}PEP 440 knows alpha (a), beta (b) and release candidates (rc). Map the channel, e.g. \`"python": { "prereleaseMap": { "${s(p.channel)}": "rc" } }\`, or rename the prerelease branch's channel. See [versions](${README}versions).`,
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
  // --- git / dev version ---------------------------------------------------------------------
  EHISTORYREWRITTEN: (p) => ({
    message: `Tag(s) ${s(p.tags)} exist but no release branch reaches them, and ${s(p.version)} would not be above them.`,
    details: `The history of \`${s(p.branch)}\` was probably rewritten (force-pushed) after those releases. Releasing now would publish ${s(p.version)} again or collide with an existing tag. Restore the rewritten commits, or — if those releases were never published — delete the tags (\`git push origin :refs/tags/<tag>\`) deliberately. Never delete the tag of a published release. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EDEVBUMP: (p) => ({
    message: `Could not commit or push the next development version ${s(p.version)}: ${s(p.reason)}.`,
    details: `The release itself is complete. Write ${s(p.version)} into the version files and push it by hand, or re-run the \`success\` step. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EDEVBUMPCONFLICT: (p) => ({
    message: `The next development version commit conflicts with new commits on \`${s(p.branch)}\`.`,
    details: `Another commit changed the same version files after ${s(p.attempts)} attempt(s). semantic-release-stack never force-pushes. Set the development version ${s(p.version)} by hand. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EBRANCHPROTECTED: (p) => ({
    message: `GitHub would refuse the development version commit on \`${s(p.branch)}\` of ${s(p.repository)}: ${s(p.reasons)}.`,
    details: `The devVersion kind pushes one commit straight to \`${s(p.branch)}\` after the release is published, so this was checked before anything was built or released. Either let the release token bypass the protection (a GitHub App or an admin token on the ruleset's bypass list with mode "always", or allowed to push by the branch protection rule), or set \`"devVersion": false\` and bump the development version through a pull request. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ECONCURRENT: (p) => ({
    message: `Another release of ${s(p.tag)} is publishing it; this run stops before publishing anything.`,
    details: `Two runs released the same version at once (semantic-release has no lock). The first to push \`${s(p.ref)}\` publishes; this one pushed its tag too, but that tag is the same one. Nothing was published by this run. Let the other run finish; if it failed, finish the release with \`semantic-release-stack publish --tag ${s(p.tag)}\`. Serialize releases in CI (e.g. GitHub Actions \`concurrency\`). See [failure and recovery](${README}failure-and-recovery).`,
  }),
  // --- resumed publish (`semantic-release-stack publish --tag`) -------------------------------
  ERESUMECONFIG: (p) => ({
    message: `Cannot read the release configuration: ${s(p.reason)}.`,
    details: `\`semantic-release-stack publish\` reads the configuration semantic-release reads (\`.releaserc*\`, \`release.config.*\`, \`package.json#release\`) in the current directory, or the file given with \`--config\`. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ERESUMENOSTACK: (p) => ({
    message: `The release configuration \`${s(p.file)}\` does not use semantic-release-stack.`,
    details: `Its \`plugins\` list neither \`semantic-release-stack\` nor one of \`semantic-release-stack/<kind>\`, so there is nothing to publish. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ERESUMETAG: (p) => ({
    message: `Cannot resume the release of \`${s(p.tag)}\`: ${s(p.reason)}.`,
    details: `Give the tag semantic-release created for the release, e.g. \`semantic-release-stack publish --tag v1.4.0\`. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EGITHUBRELEASE: (p) => ({
    message: `Cannot complete the GitHub release of \`${s(p.tag)}\`: ${s(p.reason)}.`,
    details: `\`semantic-release-stack publish --tag\` finds the release by its tag (a draft too), uploads the assets it lacks and publishes it, through the API @semantic-release/github would use (\`githubApiUrl\`/\`githubUrl\` options, \`GITHUB_API_URL\`/\`GH_URL\`) with \`GH_TOKEN\` or \`GITHUB_TOKEN\`, which needs write access to the repository's contents. Fix the cause and run the command again: what is already there is kept. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EGITHUBASSETCONFLICT: (p) => ({
    message: `The GitHub release \`${s(p.tag)}\` already has \`${s(p.name)}\` with other content (${s(p.remote)}, here ${s(p.local)}).`,
    details: `A released file is never replaced, so nothing was uploaded or changed. The artifacts re-created at the tag differ from those the release already holds (a build that is not reproducible, or an asset uploaded by hand). Check which one is right; to replace it, delete the asset on GitHub yourself and run the command again. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  // --- docs ----------------------------------------------------------------------------------
  EDOCSMISSING: (p) => ({
    message: `Docs directory \`${s(p.path)}\` does not exist.`,
    details: `Build the docs before the release's \`prepare\` step (e.g. in CI before \`semantic-release\`), or fix \`docs.dir\`, which is relative to the repository root. See [docs](${README}docs).`,
  }),
  EDOCSNOTDIR: (p) => ({
    message: `Docs path \`${s(p.path)}\` is not a directory.`,
    details: `\`docs.dir\` must name the folder whose contents go into the archive. See [docs](${README}docs).`,
  }),
  EDOCSEMPTY: (p) => ({
    message: `Docs directory \`${s(p.path)}\` has no files to archive${p.excluded ? ' after the exclude patterns' : ''}.`,
    details: `An empty docs archive usually means the docs build did not run. Build the docs first${p.excluded ? ', or loosen `docs.exclude`' : ''}. See [docs](${README}docs).`,
  }),
  EDOCSLINKOUT: (p) => ({
    message: `Docs entry \`${s(p.path)}\` is a symbolic link that ${s(p.reason)} (\`${s(p.target)}\`).`,
    details: `The archive must unpack inside its own folder with every link resolving there. Make the link relative to a file inside the docs directory, replace it with a copy of its target, or exclude it with \`docs.exclude\`. See [docs](${README}docs).`,
  }),
  EDOCSSPECIALFILE: (p) => ({
    message: `Docs entry \`${s(p.path)}\` is a ${s(p.kind)}, not a file, directory or link.`,
    details: `Only regular files, directories and symbolic links can go into the docs archive. Remove it or exclude it with \`docs.exclude\`. See [docs](${README}docs).`,
  }),
  EDOCSUNREADABLE: (p) => ({
    message: `Cannot read \`${s(p.path)}\` in the docs directory: ${s(p.reason)}.`,
    details: `Give the release user read access to the whole docs directory, or exclude the path with \`docs.exclude\`.`,
  }),
  EDOCSARCHIVE: (p) => ({
    message: `Could not write the docs archive \`${s(p.path)}\`: ${s(p.reason)}.`,
    details: `Nothing was left at \`${s(p.path)}\`. If the docs changed while the archive was written, re-run once they are stable; otherwise check free disk space and permissions.`,
  }),
  // --- helm ----------------------------------------------------------------------------------
  ECHARTMISSING: (p) => ({
    message: `No Chart.yaml in \`${s(p.path)}\`.`,
    details: `A Helm chart is a directory with a Chart.yaml at its top${p.parent ? `, and every directory in its \`charts/\` must be one too (\`${s(p.parent)}\`)` : ''}. Point \`helm.chart\` at the chart directory, or create Chart.yaml with \`apiVersion\`, \`name\` and \`version\`. See [helm](${README}helm).`,
  }),
  EINVALIDCHART: (p) => ({
    message: `Invalid chart file \`${s(p.path)}\`: ${s(p.reason)}.`,
    details: `\`helm package\` would refuse this chart too. Fix \`${s(p.path)}\`; nothing was packaged. See [helm](${README}helm).`,
  }),
  ECHARTNAME: (p) => ({
    message: `Chart name \`${s(p.name)}\` in \`${s(p.path)}\` is invalid: ${s(p.reason)}.`,
    details: `The name becomes the top directory of the package and its file name. Give Chart.yaml a \`name\` without \`/\`, other than \`.\` and \`..\`. See [helm](${README}helm).`,
  }),
  ECHARTVERSION: (p) => ({
    message: `Chart version \`${s(p.version)}\` in \`${s(p.path)}\` is invalid: ${s(p.reason)}.`,
    details: `Helm parses chart versions as SemVer (\`1.2.3\`, \`1.2.3-rc.1\`; \`v1.2.3\` and \`1.2\` are accepted too). PEP 440 spellings such as \`1.2.0rc1\` or \`0.2.0.dev0\` are not. Write a SemVer version into Chart.yaml. See [versions](${README}versions).`,
  }),
  EHELMIGNORE: (p) => ({
    message: `\`${s(p.path)}\` line ${s(p.line)}: pattern \`${s(p.pattern)}\` is invalid: ${s(p.reason)}.`,
    details: `.helmignore patterns are Go \`filepath.Match\` globs (\`*\`, \`?\`, \`[a-z]\`, \`[^a-z]\`), with a leading \`/\` to anchor, a trailing \`/\` for directories and \`!\` to negate; \`**\` is not supported. Fix the line; Helm stops at it as well. See [helm](${README}helm).`,
  }),
  // --- python --------------------------------------------------------------------------------
  EPYTHONMISSING: (p) => ({
    message: `Python interpreter \`${s(p.interpreter)}\` ${s(p.reason ?? 'was not found')}.`,
    details: `The wheel is built and uploaded by \`python.interpreter\` (default \`python3\` from PATH). Install Python (\`apt-get install python3\`), or set \`"python": { "interpreter": "/usr/bin/python3" }\` to one that exists. See [python](${README}python).`,
  }),
  EPYTHONMODULE: (p) => ({
    message: `Python module \`${s(p.module)}\` is missing from \`${s(p.interpreter)}\`; it is needed to ${s(p.purpose)}.`,
    details: `Install it for that interpreter: ${p.apt ? `\`${s(p.apt)}\` (Debian/Ubuntu system Python) or ` : ''}\`${s(p.pip)}\`. Or set \`python.interpreter\` to an interpreter that has it (the \`python3\` first on PATH is not always the one with the packages). See [python](${README}python).`,
  }),
  EDISTNAME: (p) => ({
    message: `Cannot tell the Python distribution name: ${s(p.reason)}.`,
    details: `The wheel is found by its expected file name, which starts with the distribution name. Declare \`[project] name\` in pyproject.toml (or \`[metadata] name\` in setup.cfg), or set \`"python": { "distName": "my-project" }\`. See [python](${README}python).`,
  }),
  ESOURCEDATEEPOCH: (p) => ({
    message: `SOURCE_DATE_EPOCH \`${s(p.value)}\` is not a whole number of seconds.`,
    details: `The wheel's file times come from SOURCE_DATE_EPOCH. Set it to a Unix time such as \`$(git log -1 --format=%ct)\`, or unset it to use the release commit's time. See [python](${README}python).`,
  }),
  EWHEELNOTFOUND: (p) => ({
    message: `Wheel \`${s(p.wheel)}\` is not in ${s(p.dir)}.`,
    details: `Found instead: ${s(Array.isArray(p.produced) && p.produced.length ? p.produced : '(nothing)')}. The wheel's name comes from the distribution name and its version from the version files: check \`python.distName\` and that \`python.versionFiles\` names the file the build reads its version from. Only a pure-Python \`py3-none-any\` wheel is looked for. See [python](${README}python).`,
  }),
  ESDISTNOTFOUND: (p) => ({
    message: `Source distribution \`${s(p.sdist)}\` is not in ${s(p.dir)}.`,
    details: `Found instead: ${s(Array.isArray(p.produced) && p.produced.length ? p.produced : '(nothing)')}. The sdist is looked for by its PEP 625 name (\`<normalized_name>-<version>.tar.gz\`) or the older spelling that keeps the project name's dashes (setuptools < 69.3). Check \`python.distName\`, or set \`"python": { "sdist": false }\` to build and upload only the wheel. See [python](${README}python).`,
  }),
  EPYTHONBUILDDEPS: (p) => ({
    message: `\`python -m build --no-isolation\` stopped: build dependencies are missing from \`${s(p.interpreter)}\`: ${s(p.missing)}.`,
    details: `Without isolation the build checks that \`[build-system] requires\` and their own dependencies are installed in the interpreter. Install them (\`${s(p.interpreter)} -m pip install …\`, or the Debian packages), or, when the backend builds without them, set \`"python": { "skipDependencyCheck": true }\` to pass \`--skip-dependency-check\`: Debian 12's hatchling declares \`editables\`, which Debian does not package and which only editable installs use. Nothing was tagged. See [python](${README}python).`,
  }),
  EPYTHONDISTVERSION: (p) => ({
    message: `\`${s(p.file)}\` was built as version ${s(p.found)}, not as the release's ${s(p.expected)}.`,
    details: `The build backend took its version from somewhere the release did not write. setuptools-scm and hatch-vcs get it through \`SETUPTOOLS_SCM_PRETEND_VERSION\`; hatchling's \`[tool.hatch.version] path\`, \`[project] version\` and \`[tool.poetry] version\` are found without configuration. Otherwise name the file your backend reads in \`python.versionFiles\`. Nothing was tagged. See [python](${README}python).`,
  }),
  EPYTHONDISTCHECK: (p) => ({
    message: `\`twine check --strict\` refused \`${s(p.file)}\`: ${s(p.reason)}.`,
    details: `${p.upgrade ? `${s(p.upgrade)} ` : ''}The index would refuse the upload or show a broken project page, so the release stopped before its tag. The usual cause is the long description: declare the README (\`readme = "README.md"\` in \`[project]\`, or \`long_description\` with \`long_description_content_type\`) and make sure its markup renders. Full output of twine:\n\n\`\`\`\n${s(p.output)}\n\`\`\`\n\nSee [python](${README}python).`,
  }),
  EWHEELCHANGED: (p) => ({
    message: `\`${s(p.path)}\` changed after it was built.`,
    details: `Its sha256 is ${s(p.actual)}; the release manifest recorded ${s(p.expected)}. Something rewrote the file between prepare and publish. Nothing was uploaded: remove \`release-artifacts/\` and run the release again. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EPYPICREDENTIALS: (p) => ({
    message: 'No credentials to upload the distributions to the package index.',
    details: `Use PyPI's Trusted Publishing (GitHub Actions with \`permissions: id-token: write\`, or a ready ID token in \`PYPI_ID_TOKEN\`), or set \`PYPI_TOKEN\` (an API token; twine then logs in as \`__token__\`), or both \`TWINE_USERNAME\` and \`TWINE_PASSWORD\`, in the environment semantic-release runs in. Missing: ${s(p.missing)}. See [python](${README}python).`,
  }),
  EPYPIIDTOKENPERMISSION: () => ({
    message:
      'This GitHub Actions job may not request an ID token, so it cannot upload through Trusted Publishing.',
    details: `GitHub gives a job \`ACTIONS_ID_TOKEN_REQUEST_URL\` and \`ACTIONS_ID_TOKEN_REQUEST_TOKEN\` only with the \`id-token: write\` permission. Add it to the release job (or the workflow), next to the permissions it already has:\n\n\`\`\`yaml\npermissions:\n  contents: write\n  id-token: write\n\`\`\`\n\nOr set \`PYPI_TOKEN\`. See [python](${README}python).`,
  }),
  EPYPIOIDC: (p) => ({
    message: `Trusted Publishing to ${s(p.url)} is not possible: ${s(p.reason)}.`,
    details: `Trusted Publishing asks the index for its OIDC audience (\`/_/oidc/audience\`), gets an ID token for it (from GitHub Actions, or \`PYPI_ID_TOKEN\`) and exchanges that at \`/_/oidc/mint-token\` for a short-lived upload token. ${p.fix ? `${s(p.fix)} ` : ''}Nothing was uploaded. See [python](${README}python).`,
  }),
  EPYPIOIDCREFUSED: (p) => ({
    message: `${s(p.url)} refused to exchange the ID token for an upload token: ${s(p.reason)}.`,
    details: `The index answered: ${s(p.errors)}. Usually no trusted publisher on the index matches this job: on PyPI, add one in the project's Publishing settings (or a pending publisher for a new project) with the repository, workflow file name and environment of the job${p.claims ? ` (the ID token says: ${s(p.claims)})` : ''}. Nothing was uploaded. Once fixed, finish this release with \`semantic-release-stack publish --tag ${s(p.tag)}\`. See [python](${README}python).`,
  }),
  EPYPIAUTH: (p) => ({
    message: `The package index ${s(p.url)} refused the credentials in ${s(p.source)} (${s(p.answer)}).`,
    details: `Checked before anything was built or tagged, with an upload that carries no file (the index authenticates it, then refuses it for the missing file; nothing is stored). Use an API token of the index (on PyPI: \`PYPI_TOKEN\`, a token starting with \`pypi-\`, scoped to the project or the account), or a correct \`TWINE_USERNAME\`/\`TWINE_PASSWORD\` pair for another index, and check \`python.publish.repositoryUrl\`. See [python](${README}python).`,
  }),
  EPYPILOCALVERSION: (p) => ({
    message: `Version ${s(p.version)} (PEP 440 \`${s(p.pep440)}\`) has a local part, which package indexes refuse.`,
    details: `PyPI rejects versions with \`+…\`, which comes from SemVer build metadata. Release without build metadata, or switch \`python.publish\` off for this branch. See [versions](${README}versions).`,
  }),
  EPYPICONFLICT: (p) => ({
    message: `\`${s(p.file)}\` is already on the index with different content.`,
    details: `${s(p.index)} lists it with sha256 ${s(p.remote)}; this release built ${s(p.local)}. A published file can never be replaced. If this version was released before from another commit or toolchain, release a new version instead. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EPYPIINDEX: (p) => ({
    message: `Could not ask ${s(p.url)} which files version ${s(p.version)} has: ${s(p.reason)}.`,
    details: `The wheel is only uploaded after the index says whether it already has it (${s(p.attempts)} attempt(s) made; only 429, 5xx and network errors are retried). Check \`python.publish.repositoryUrl\`, the network, and for a private index that the credentials may read. Re-run the release; nothing was uploaded. See [python](${README}python).`,
  }),
  EPYPIUPLOAD: (p) => ({
    message: `Uploading \`${s(p.file)}\` to ${s(p.url)} failed.`,
    details: `${s(p.details)}\n\nCheck that the credentials may upload to this project. The release can be re-run: a file already uploaded is recognised and skipped. See [python](${README}python).`,
  }),
  // --- docker --------------------------------------------------------------------------------
  EINVALIDIMAGE: (p) => ({
    message: `Image name \`${s(p.image)}\` is invalid: ${s(p.problem)}.`,
    details: `\`docker.image\` is a repository name without tag or digest, e.g. \`registry.example.com/org/app\` or \`org/app\` (Docker Hub): lowercase letters and digits separated by \`.\`, \`_\`, \`__\` or \`-\`, in \`/\`-separated parts, after an optional registry host. The release adds the tags. See [docker](${README}docker).`,
  }),
  EDOCKERFILEMISSING: (p) => ({
    message: `Dockerfile \`${s(p.path)}\` does not exist.`,
    details: `The image is built from \`docker.dockerfile\` (default \`<context>/Dockerfile\`), relative to the repository root. Create it or fix the option. See [docker](${README}docker).`,
  }),
  EDOCKERCONTEXTMISSING: (p) => ({
    message: `Docker build context \`${s(p.path)}\` is not a directory.`,
    details: `\`docker.context\` (default \`docker\`) names the folder sent to the build, relative to the repository root. Create it or fix the option. See [docker](${README}docker).`,
  }),
  EDOCKERUNAVAILABLE: (p) => ({
    message: `The image builder \`${s(p.builder)}\` cannot run: ${s(p.reason)}`,
    details: `The image is built with \`docker.builder\` (\`docker\`, \`podman\` or \`buildah\`). Make it available where semantic-release runs, or choose another builder. See [docker](${README}docker).`,
  }),
  EPLATFORMSUNSUPPORTED: (p) => ({
    message: `\`${s(p.builder)}\` cannot build the platforms ${s(p.platforms)}: ${s(p.reason)}.`,
    details: `Several platforms make a manifest list. podman and buildah build one as they are; docker needs the buildx plugin. Remove \`docker.platforms\` to build for the host's platform only. See [docker](${README}docker).`,
  }),
  EDOCKERSECRET: (p) => ({
    message: `Build secret \`${s(p.id)}\` cannot be passed to the build: ${s(p.reason)}.`,
    details: `\`docker.secrets\` hands each secret to the builder as \`--secret id=<id>,env=<variable>\` (BuildKit with docker, natively with podman and buildah): the value stays in the environment, never in argv, the logs or a layer. Set the variable in the release's environment; use the secret in the Dockerfile with \`RUN --mount=type=secret,id=<id>\` (it appears at \`/run/secrets/<id>\` for that step only). See [docker](${README}docker).`,
  }),
  EDOCKERSECRETARG: (p) => ({
    message: `Build arg \`${s(p.name)}\` looks like a secret: ${s(p.reason)}.`,
    details: `Build args are stored in the image's history, readable by anyone who can pull it. Pass it with \`docker.secrets\` instead (used as \`RUN --mount=type=secret,id=<id>\`), and remove \`${s(p.name)}\` from \`docker.buildArgs\`. See [docker](${README}docker).`,
  }),
  EDOCKERCREDENTIALS: (p) => ({
    message: `Registry credentials are incomplete: ${s(p.missing)} is not set.`,
    details: `Set both \`DOCKER_REGISTRY_USER\` and \`DOCKER_REGISTRY_PASSWORD\`, or neither (then the builder's existing login is used). See [docker](${README}docker).`,
  }),
  EDOCKERAUTH: (p) => ({
    message: `The registry ${s(p.registry)} refused the credentials.`,
    details: `${s(p.reason)}. Check \`DOCKER_REGISTRY_USER\` and \`DOCKER_REGISTRY_PASSWORD\` (a token needs read and write access to the repository), or the existing login of the builder when they are not set. Nothing was pushed. See [docker](${README}docker).`,
  }),
  EDOCKERREGISTRY: (p) => ({
    message: `The registry ${s(p.registry)} could not be read: ${s(p.reason)}.`,
    details: `The registry API (\`/v2/\`) must be reachable from where semantic-release runs. Check the host in \`docker.image\`, the network, and \`docker.insecureRegistry\` for a registry without TLS. Only network errors, 408, 429 and 5xx are retried. See [docker](${README}docker).`,
  }),
  EDOCKERNOWHEEL: (p) => ({
    message: `No wheel was built in this run to stage into \`${s(p.dir)}\`.`,
    details: `The image gets exactly the wheel(s) the python kind built in this release. Enable the \`python\` kind, or set \`"docker": { "wheelsDir": false }\` for an image that takes no wheel. See [docker](${README}docker).`,
  }),
  EIMAGEEXISTS: (p) => ({
    message: `\`${s(p.ref)}\` is already in the registry with a different image.`,
    details: `The registry holds ${s(p.digest)} (config ${s(p.remote)}); this release built config ${s(p.local)}. A released version tag is never overwritten. If this version was released before from another build, release a new version; remove the tag from the registry only if that image was never used. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EDOCKERIMAGEMISSING: (p) => ({
    message: `The image \`${s(p.ref)}\` is not in ${s(p.builder)}'s local images.`,
    details: `publish pushes the image prepare built. Run prepare and publish on the same machine (the same job), with the same builder. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EDOCKERPUSHVERIFY: (p) => ({
    message: `After the push, \`${s(p.ref)}\` in the registry is not the image that was pushed.`,
    details: `Expected ${s(p.expected)}, the registry serves ${s(p.actual)}. Another process may be pushing the same tag. Check the registry, then re-run the release: tags already holding this image are skipped. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  // --- helm publish --------------------------------------------------------------------------
  ECHARTOCIREF: (p) => ({
    message: `\`${s(p.ref)}\` is not a valid OCI reference for the chart: ${s(p.problem)}.`,
    details: `The chart is pushed to \`<helm.oci>/<chart name>:<version>\`. \`helm.oci\` is \`oci://<registry host>[/<path>]\` in lowercase, and the chart name in Chart.yaml must be a valid repository name too (lowercase letters, digits, \`.\`, \`_\`, \`-\`). See [helm](${README}helm).`,
  }),
  ECHARTREGISTRYCREDENTIALS: (p) => ({
    message: `Chart registry credentials are incomplete: ${s(p.given)} is set but ${s(p.missing)} is not.`,
    details: `Set both \`HELM_REGISTRY_USER\` and \`HELM_REGISTRY_PASSWORD\`, or neither (then \`DOCKER_REGISTRY_USER\`/\`DOCKER_REGISTRY_PASSWORD\` are used, or no credentials). See [helm](${README}helm).`,
  }),
  ECHARTREGISTRYAUTH: (p) => ({
    message: `The chart registry ${s(p.registry)} refused the credentials.`,
    details: `${s(p.reason)}. Set \`HELM_REGISTRY_USER\` and \`HELM_REGISTRY_PASSWORD\` (or the \`DOCKER_REGISTRY_*\` pair they fall back to) to an account or token that may pull and push the chart repository. Nothing was pushed. See [helm](${README}helm).`,
  }),
  ECHARTREGISTRY: (p) => ({
    message: `The chart registry ${s(p.registry)} could not be used: ${s(p.reason)}.`,
    details: `The registry API (\`/v2/\`) must be reachable from where semantic-release runs. Check the host in \`helm.oci\`, the network, and \`helm.insecureRegistry\` for a registry without TLS. Only network errors, 408, 429 and 5xx are retried. Re-running the release is safe: a chart already pushed is skipped. See [helm](${README}helm).`,
  }),
  ECHARTEXISTS: (p) => ({
    message: `${s(p.where)} already holds ${s(p.name)} ${s(p.version)} with a different chart.`,
    details: `It holds ${s(p.remote)}; this release packaged ${s(p.local)}. A released chart version is never overwritten. If this version was released before from other sources, release a new version; remove the old one only if it was never used. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ECHARTPUSHVERIFY: (p) => ({
    message: `After the push, \`${s(p.ref)}\` in the registry is not the chart that was pushed.`,
    details: `Expected ${s(p.expected)}, the registry answered ${s(p.actual)}. Another process may be pushing the same tag. Check the registry, then re-run the release: a tag already holding this chart is skipped. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ECHARTNOTPACKAGED: (p) => ({
    message: `The packaged chart of this release cannot be published: ${s(p.reason)}.`,
    details: `\`helm.oci\` and \`helm.index\` publish the chart that prepare packaged and recorded in the release manifest (\`release-artifacts/manifest.json\`). Run prepare, publish and success in the same job and leave \`release-artifacts/\` alone in between. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  ECHARTINDEX: (p) => ({
    message: `The chart index \`${s(p.path)}\` on branch \`${s(p.branch)}\` could not be updated: ${s(p.reason)}.`,
    details: `The release itself is out; only the chart repository index is behind. Fix the cause (an index.yaml Helm cannot read, or the push being refused), then add the entry by re-running the release's success step, or with \`helm repo index --merge\`. See [helm](${README}helm).`,
  }),
  ECHARTINDEXCONFLICT: (p) => ({
    message: `Branch \`${s(p.branch)}\` kept moving: the chart index entry for ${s(p.name)} ${s(p.version)} was not pushed after ${s(p.attempts)} attempts.`,
    details: `Each attempt fetched the branch, added the entry to its index.yaml again and pushed without force. Raise \`helm.index.pushAttempts\` or stop the other writers of the branch, then re-run; an entry already present with the same digest is left alone. See [helm](${README}helm).`,
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
} satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERRORS;

export type StackError = SemanticReleaseError & { code: ErrorCode; details: string };

/** Builds the SemanticReleaseError for `code` from the table. */
export function stackError(code: ErrorCode, params: Params = {}): StackError {
  const { message, details } = (ERRORS[code] as Entry)(params);
  const error = new SemanticReleaseError(message, code, details) as StackError;
  // A coded error is an expected condition with its fix in `details`: semantic-release's CLI prints
  // `util.inspect` of every failure, and internal stack frames would only bury that fix.
  error.stack = `${error.name}: ${message}`;
  return error;
}

export function isStackError(error: unknown): error is StackError {
  return error instanceof Error && (error as { semanticRelease?: unknown }).semanticRelease === true;
}

/** Throws every collected problem at once, the way semantic-release shows them. */
export function throwAll(errors: readonly Error[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('\n'));
}
