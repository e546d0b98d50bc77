import type { ExecContext } from '../../../exec.js';
import type { OciClient } from '../../../oci/client.js';

export const BUILDER_NAMES = ['docker', 'podman', 'buildah'] as const;
export type BuilderName = (typeof BUILDER_NAMES)[number];

export interface BuildRequest {
  /** `<image>:<version tag>`: the one reference the build produces. */
  ref: string;
  contextDir: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** `--secret id=<id>,env=<env>`: the builder reads each value from its environment. */
  secrets: ReadonlyArray<{ id: string; env: string }>;
  /** Empty: the builder's own platform, a plain image. Otherwise a manifest list. */
  platforms: readonly string[];
  /**
   * More references a plain (single-platform) image gets in the same build: the floating tags, one
   * `--tag` each instead of a `tag` call each afterwards. A multi-platform build ignores them.
   */
  alsoTagged?: readonly string[];
  /** `docker.cache`: absent when it is off. */
  cache?: BuildCache;
}

/**
 * A registry build cache. Every builder writes what the next release's build needs (BuildKit's
 * inline cache metadata, podman/buildah's cache images) and reads `from` (docker) or `repository`
 * (podman/buildah, which look their cache images up by a key of their own in a repository).
 */
export interface BuildCache {
  /** The image to take layers from; undefined when the registry does not hold one (build-cache.ts). */
  from: string | undefined;
  /** The image's repository, `<registry>/<path>` without a tag. */
  repository: string;
}

export interface Credentials {
  username: string;
  password: string;
}

/** What a builder runs with: the context's exec settings, plus the env of a temporary login. */
export interface BuilderContext extends ExecContext {
  /** DOCKER_CONFIG / REGISTRY_AUTH_FILE of the run's own login; empty for the user's own login. */
  authEnv: Record<string, string>;
  /** Push over plain HTTP / without TLS verification (podman and buildah need to be told). */
  insecureRegistry: boolean;
  /**
   * Where docker keeps a multi-platform build between prepare and publish: buildx writes it as an
   * OCI archive (the docker image store holds one platform only), pushed through the registry API.
   */
  ociArchive: string;
  registry: () => Promise<{ client: OciClient; repository: string }>;
}

/**
 * One container builder behind the few verbs a release needs. Every implementation builds once,
 * tags locally and pushes each reference; none rebuilds per tag.
 */
export interface Builder {
  readonly name: BuilderName;
  /** Why the builder cannot run (missing, daemon down), with how to fix it; undefined when ready. */
  unavailable(): Promise<string | undefined>;
  /** Why `platforms` cannot be built; undefined when it can. */
  platformsProblem(platforms: readonly string[]): Promise<string | undefined>;
  /** Why build secrets cannot be passed; undefined when they can. */
  secretsProblem(): Promise<string | undefined>;
  build(request: BuildRequest): Promise<void>;
  tag(source: string, target: string, multiPlatform: boolean): Promise<void>;
  /**
   * Makes the credentials the login that `authEnv` points at: podman and buildah log in with the
   * password on stdin; docker's is written into the run's own config.json (see the docker builder).
   */
  login(registry: string, credentials: Credentials): Promise<void>;
  /** The env var that points the builder at a login directory/file of the run's own. */
  authEnvFor(dir: string): Record<string, string>;
  push(ref: string, multiPlatform: boolean): Promise<void>;
  /**
   * Config digests (`sha256:…`) of the local image, one per platform for a manifest list, sorted;
   * undefined when the builder has no such image. A config digest does not change when an image is
   * pushed (layers are compressed on the way, so manifest digests may), which is why the release
   * compares config digests with the registry's.
   */
  configDigests(ref: string, multiPlatform: boolean): Promise<string[] | undefined>;
}
