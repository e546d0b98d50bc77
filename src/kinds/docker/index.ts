import type { HttpFetch } from '../../core/http.js';
import { defineKind, type ArtifactKind } from '../../kind.js';
import { addImageChannel } from './add-channel.js';
import { checkDocker } from './check.js';
import { resolveDockerConfig, type DockerConfig } from './config.js';
import { DOCKER_ERRORS } from './errors.js';
import { planImage } from './plan.js';
import { dockerRenderings } from './tags.js';
import { prepareImage } from './prepare.js';
import { registryClient } from './registry.js';
import { publishImage } from './publish.js';

export interface DockerKindDeps {
  /** The registry API's HTTP client (tests inject one; default: the step's `ctx.http`). */
  fetch?: HttpFetch;
}

/** The Docker image: the wheel staged into the context, one build, tags, and a checked push. */
export function createDockerKind(deps: DockerKindDeps = {}): ArtifactKind<DockerConfig> {
  return defineKind<DockerConfig>({
    name: 'docker',
    entry: 'docker',
    artifacts: [{ type: 'image', published: true }],
    // The wheels staged into the build context.
    consumes: ['wheel'],
    errors: DOCKER_ERRORS,
    resolveConfig: resolveDockerConfig,
    renderings: dockerRenderings,
    check: (config, ctx) => checkDocker(config, ctx, deps.fetch),
    plan: planImage,
    prepare: prepareImage,
    publish: (config, ctx) => publishImage(config, ctx, deps.fetch),
    addChannel: (config, ctx) => addImageChannel(config, ctx, deps.fetch),
    async registryOf(config, ctx, artifact) {
      if (artifact.type !== 'image') return undefined;
      const { registry, repository } = config.image;
      const client = await registryClient(config, ctx, deps.fetch);
      return { client, repository, name: `${registry}/${repository}` };
    },
  });
}

export const dockerKind = createDockerKind();
