import { README, s, errorFactory, type ErrorTable } from '../../errors.js';

/** The Docker image kind's error codes (docker); merged with every other kind's into the one table (kinds/index.ts). */
export const DOCKER_ERRORS = {
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
    message: `Registry credentials are incomplete: ${s(p.missing)} ${p.plural ? 'are' : 'is'} not set.`,
    details: `An image's login is read from the two variables its \`credentials\` name (\`{ "user": "…", "password": "…" }\`), by default \`DOCKER_REGISTRY_USER\` and \`DOCKER_REGISTRY_PASSWORD\`. Set both ${s(p.user)} and ${s(p.password)}; the default pair may also be left unset entirely (then GITHUB_TOKEN is used for ghcr.io, else the builder's existing login). See [docker](${README}docker).`,
  }),
  EDOCKERAUTH: (p) => ({
    message: `The registry ${s(p.registry)} refused the credentials.`,
    details: `${s(p.reason)}. Check ${s(p.source)} (a token needs read and write access to the repository). Nothing was pushed. See [docker](${README}docker).`,
  }),
  EGHCRPERMISSION: (p) => ({
    message: `GitHub Container Registry refused to let ${s(p.user)} push \`${s(p.image)}\` (403).`,
    details: `${s(p.reason)}. The token is valid but may not write this package. With GITHUB_TOKEN in GitHub Actions: give the workflow \`permissions: packages: write\`, and make sure the package belongs to this repository: a package created by this repository's workflow is linked to it; an existing package must be linked (\`org.opencontainers.image.source\` label, or "Connect repository" in the package settings) or the repository given Write access under the package's "Manage Actions access". With a personal access token: it needs the \`write:packages\` scope. See [docker](${README}docker).`,
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
  EDOCKERVERSIONMISSING: (p) => ({
    message: `\`${s(p.ref)}\` is not in the registry, so the ${s(p.channel)} channel's tags cannot point at it.`,
    details: `semantic-release adds an existing release to another channel (addChannel) without building anything: the tags of the new channel are set to the image the version tag holds. That tag is missing: the release was never pushed (\`docker.push\` was false, or its publish failed), or it was deleted. Push it first (\`semantic-release-stack publish --tag\`), then re-run. See [docker](${README}docker).`,
  }),
  EDOCKERPUSHVERIFY: (p) => ({
    message: `After the push, \`${s(p.ref)}\` in the registry is not the image that was pushed.`,
    details: `Expected ${s(p.expected)}, the registry serves ${s(p.actual)}. Another process may be pushing the same tag. Check the registry, then re-run the release: tags already holding this image are skipped. See [failure and recovery](${README}failure-and-recovery).`,
  }),
} satisfies ErrorTable;

/** Builds this kind's coded errors, and the shared ones (EINVALIDOPTION, ECOMMANDFAILED…). */
export const stackError = errorFactory(DOCKER_ERRORS);
