import type { HttpFetch } from '../../core/http.js';
import { defineKind, type ArtifactKind, type VersionField } from '../../kind.js';
import { addImagesChannel } from './add-channel.js';
import { checkDocker } from './check.js';
import {
  DEFAULT_VALUES_FILE,
  isGhcr,
  resolveDockerConfig,
  type DockerConfig,
  type GithubRegistryTest,
} from './config.js';
import { DOCKER_ERRORS } from './errors.js';
import { planImages } from './plan.js';
import { dockerRenderings } from './tags.js';
import { prepareImages } from './prepare.js';
import { registryClient } from './registry.js';
import { publishImages } from './publish.js';

export interface DockerKindDeps {
  /** The registry API's HTTP client (tests inject one; default: the step's `ctx.http`). */
  fetch?: HttpFetch;
  /**
   * Which registries are GitHub's container registry (GITHUB_TOKEN login, EGHCRPERMISSION); default
   * `ghcr.io`. Tests name a loopback registry, which cannot be called ghcr.io.
   */
  githubRegistry?: GithubRegistryTest;
}

/** Docker images: the wheel staged into each context, one build per distinct build, checked pushes. */
export function createDockerKind(deps: DockerKindDeps = {}): ArtifactKind<DockerConfig> {
  return defineKind<DockerConfig>({
    name: 'docker',
    entry: 'docker',
    artifacts: [{ type: 'image', published: true }],
    // The wheels staged into the build context.
    consumes: ['wheel'],
    errors: DOCKER_ERRORS,
    preset: {
      // The values files the images' `imageTagKey` write, for @semantic-release/git to commit.
      versionFiles(options) {
        const images: unknown[] = Array.isArray(options) ? options : [options];
        const files = images.flatMap((image) => {
          const o = (image ?? {}) as { imageTagKey?: unknown; valuesFile?: unknown };
          if (typeof o.imageTagKey !== 'string') return [];
          return [typeof o.valuesFile === 'string' ? o.valuesFile : DEFAULT_VALUES_FILE];
        });
        return [...new Set(files)];
      },
    },
    resolveConfig: (raw, ctx) => resolveDockerConfig(raw, ctx, deps.githubRegistry ?? isGhcr),
    renderings: dockerRenderings,
    // Each image's `imageTagKey`: the chart's values key that pins it (all images share the tag).
    versionFields: (config) =>
      config.images.flatMap((image): VersionField[] =>
        image.imageTagKey
          ? [
              {
                path: image.imageTagKey.file,
                key: image.imageTagKey.key,
                type: 'yaml',
                option: `${image.option}.imageTagKey`,
                render: 'imageTag',
              },
            ]
          : [],
      ),
    check: (config, ctx) => checkDocker(config, ctx, deps.fetch),
    plan: planImages,
    prepare: (config, ctx, manifest) => prepareImages(config, ctx, manifest, deps.fetch),
    publish: (config, ctx) => publishImages(config, ctx, deps.fetch),
    addChannel: (config, ctx) => addImagesChannel(config, ctx, deps.fetch),
    async registryOf(config, ctx, artifact) {
      if (artifact.type !== 'image') return undefined;
      const image = config.images.find((i) => i.image.name === artifact.name);
      if (!image) return undefined;
      const client = await registryClient(image, ctx, deps.fetch);
      const { registry, repository } = image.image;
      return { client, repository, name: `${registry}/${repository}` };
    },
  });
}

export const dockerKind = createDockerKind();
