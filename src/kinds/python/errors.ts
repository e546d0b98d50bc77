import { README, s, errorFactory, type ErrorTable } from '../../errors.js';

/** The Python package kind's error codes (python); merged with every other kind's into the one table (kinds/index.ts). */
export const PYTHON_ERRORS = {
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
} satisfies ErrorTable;

/** Builds this kind's coded errors, and the shared ones (EINVALIDOPTION, ECOMMANDFAILED…). */
export const stackError = errorFactory(PYTHON_ERRORS);
