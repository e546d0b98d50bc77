import { README, s, errorFactory, type ErrorTable } from '../../errors.js';

/** The Helm chart kind's error codes (helm); merged with every other kind's into the one table (kinds/index.ts). */
export const HELM_ERRORS = {
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
} satisfies ErrorTable;

/** Builds this kind's coded errors, and the shared ones (EINVALIDOPTION, ECOMMANDFAILED…). */
export const stackError = errorFactory(HELM_ERRORS);
