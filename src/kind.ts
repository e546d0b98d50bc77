import type { PluginCaches } from './core/caches.js';
import type { ErrorTable } from './errors.js';
import type { ExecContext } from './exec.js';
import type { HttpClient } from './core/http.js';
import type { OciClient } from './oci/client.js';
import type { Manifest, Artifact } from './core/manifest.js';
import type { FileType } from './files/index.js';
import type { BranchKind, ReleaseRenderings, RenderingName, RenderingProblem } from './version.js';

/** Which release a step is about, as semantic-release decided it. */
export interface Release {
  version: string;
  gitTag: string;
  gitHead: string;
  /** Distribution channel (`beta`, `next`…); undefined for the default channel. */
  channel: string | undefined;
  /** Every rendering, each a value or why it cannot be made (see ArtifactKind.renderings). */
  versions: ReleaseRenderings;
}

export interface BranchInfo {
  name: string;
  kind: BranchKind;
  /** semantic-release's first release branch, i.e. the default channel. */
  main: boolean;
  /** Prerelease identifier of a prerelease branch (`beta`). */
  prerelease: string | undefined;
}

/** What every step of every kind gets: the semantic-release context, narrowed. */
export interface StepContext extends ExecContext {
  /** Repository root (semantic-release's cwd). */
  root: string;
  dryRun: boolean;
  branch: BranchInfo;
  /** semantic-release's global options (repositoryUrl, tagFormat, branches…). */
  options: Record<string, unknown>;
  /** Where artifacts and the release manifest live, absolute. */
  artifactsDir: string;
  /** The HTTP client of this step, proxied as the context's env says (core/http.ts). */
  http: HttpClient;
  /** The plugin instance's caches (see core/caches.ts). */
  caches: PluginCaches;
}

export interface ReleaseContext extends StepContext {
  release: Release;
  /** Last release on this branch, if any (maintenance-vs-latest decisions). */
  lastRelease: { version: string; gitTag: string } | undefined;
  /** Every release tag semantic-release knows on the repo (for "is this the newest?" rules). */
  releasedVersions: string[];
  /** Those released on the default channel: what the "latest" rule compares with (version.ts). */
  defaultChannelVersions: string[];
}

/**
 * A place in a file that holds a version, and which rendering of the version goes there. The core
 * turns fields into edits for the release version and, after the release, for the dev version.
 */
export interface VersionField {
  path: string;
  /** Dotted key; the file type's default (`version`, `__version__`, pyproject's own) when absent. */
  key?: string;
  type?: FileType;
  /** Option that named this file, for error messages (`python.versionFiles[0]`). */
  option: string;
  /** A rendering of the version, or templates (`=={pep440}`) for the release and the dev version. */
  render: 'pep440' | 'chartVersion' | 'imageTag' | 'appVersion' | { release?: string; dev?: string };
  /** A missing key is an error unless the key is to be added, or the file left alone (files/edits.ts). */
  missing?: 'add' | 'skip';
}

/** A rendering a kind uses, and the option that asks for it (for the error when it cannot be made). */
export interface RenderingNeed {
  rendering: RenderingName;
  option: string;
}

/**
 * What a publish or success step did with one thing it publishes (an image tag, an upload, a chart
 * tag, an index entry), as a value: callers (a resumed release's summary) read these, never log text.
 */
export type Outcome =
  | { status: 'published'; what: string }
  /** `why` completes the sentence: `<what> <why>` ("is already on <index> with the same sha256"). */
  | { status: 'already-there'; what: string; why: string }
  /** Something else is there; a published thing is never replaced. The step fails with `error`. */
  | { status: 'conflict'; what: string; error: Error };

/**
 * How semantic-release lists what a kind published (its release objects: `name`, `url`), e.g. the
 * image reference and its registry page, or the package index's project page.
 */
export interface PublishedRelease {
  name: string;
  url?: string;
}

/** What a kind's publish step reports. */
export interface PublishResult {
  outcomes: Outcome[];
  /** Records for the release manifest (an image with the digest the registry serves). */
  artifacts: Artifact[];
  /** What it published (or found already published), for semantic-release's list of releases. */
  release?: PublishedRelease;
}

export const noPublish: PublishResult = { outcomes: [], artifacts: [] };

/** Where a published artifact lives in its registry, with a client holding the kind's credentials. */
export interface RegistryLocation {
  client: OciClient;
  repository: string;
  /** `host/repository`, as a reference is written before `@digest`. */
  name: string;
}

/** One line of the release plan ("what will this release do?"). */
export interface PlanLine {
  action: 'edit' | 'build' | 'publish' | 'sign' | 'tag' | 'dev';
  text: string;
}

export type ConfigResult<C> = { config: C; errors: [] } | { config: undefined; errors: Error[] };

/** One type of artifact a kind records in the release manifest. */
export interface ArtifactTypeSpec {
  type: string;
  /**
   * Its files go to the GitHub release: a glob inside the artifacts directory (`*.whl`); the preset
   * gives it to @semantic-release/github.
   */
  githubAsset?: string;
  /** A record of something published elsewhere (a registry, an index), not a file. */
  published?: boolean;
}

/** What the shareable config (`semantic-release-stack/preset`) needs to know about a kind. */
export interface PresetHints {
  /** Files @semantic-release/git commits, from the kind's options as the user wrote them. */
  versionFiles?(options: Record<string, unknown>): string[];
  /** Where its version files usually are, for a preset that is not given the options. */
  defaultVersionFiles?: readonly string[];
}

/**
 * One artifact kind. Everything the centre needs to know about a kind is declared here, and every
 * central list (the composite, the standalone entry points, the package's exports, the preset, the
 * README's chapters, the error table, resume) is derived from the list in `kinds/index.ts`, so a new
 * kind is a folder `src/kinds/<entry>/` (this object in index.ts, its standalone plugin in plugin.ts,
 * its chapter in docs/kinds/<entry>.md) plus one line in that list.
 */
export interface ArtifactKind<C = unknown> {
  /** Section name in the composite's options (`python`) … */
  name: string;
  /** … and the subpath of its standalone entry point (`semantic-release-stack/python`), which is also its folder. */
  entry: string;
  /** The artifact types it records, in the order the release manifest lists them. */
  artifacts: readonly ArtifactTypeSpec[];
  /** Artifact types it consumes: its prepare waits for the kinds that make them. */
  consumes?: readonly string[];
  /** Its error codes (`kinds/<entry>/errors.ts`), merged into the one table. */
  errors?: ErrorTable;
  preset?: PresetHints;
  /**
   * The renderings it uses besides its version fields' (those count by themselves): the centre
   * reports one it cannot make in verifyConditions (a prerelease channel PEP 440 has no phase for)
   * or verifyRelease, before any step reads it; a kind that uses none of them never sees the problem.
   */
  renderings?(config: C): RenderingNeed[];
  /** Its own coded error for a rendering it needs that cannot be made (default: the problem's code). */
  renderingError?(problem: RenderingProblem, needs: RenderingNeed[]): Error;
  /** How this kind wants the version rendered (python's `prereleaseMap`, devVersion's options). */
  versionOptions?(config: C): { prereleaseMap?: Record<string, string>; devAfterPrerelease?: boolean };
  /** All defaults and env fallbacks in one place; every problem collected, none thrown. */
  resolveConfig(raw: unknown, ctx: StepContext): ConfigResult<C>;
  /** verifyConditions: every check that can fail later, with no side effect. */
  check?(config: C, ctx: StepContext): Promise<Error[]>;
  /** Files this kind keeps at the release version (and at the dev version afterwards). */
  versionFields?(config: C, ctx: StepContext): VersionField[];
  /** verifyRelease: checks that need the version (it is known here, also in dry-run). */
  checkRelease?(config: C, ctx: ReleaseContext): Promise<Error[]>;
  /** Lines of the release plan. */
  plan?(config: C, ctx: ReleaseContext): PlanLine[] | Promise<PlanLine[]>;
  /** Build artifacts (versions are already written). Earlier kinds' artifacts are in `manifest`. */
  prepare?(config: C, ctx: ReleaseContext, manifest: Manifest): Promise<Artifact[]>;
  /** Publish: what happened to each thing it publishes, and the records it updated. */
  publish?(config: C, ctx: ReleaseContext, manifest: Manifest): Promise<PublishResult>;
  /**
   * semantic-release adds a release already published on one channel to another (a version released
   * on `next` merged into `main`): move what names the channel (an image's floating tags) to what was
   * published, without building or pushing anything new.
   */
  addChannel?(config: C, ctx: ReleaseContext): Promise<PublishResult>;
  /** After every plugin published (the chart index, the development version). */
  success?(config: C, ctx: ReleaseContext, manifest: Manifest): Promise<Outcome[]>;
  /**
   * Where one of its published artifacts lives (an image, a pushed chart), reached with the same
   * registry settings and credentials it was pushed with: signing attaches its referrers there.
   */
  registryOf?(config: C, ctx: StepContext, artifact: Artifact): Promise<RegistryLocation | undefined>;
  /**
   * For a resumed release (`publish --tag`): why this kind's success step is already done (the
   * branch holds the development version…), or undefined when it still has to run.
   */
  successDone?(config: C, ctx: ReleaseContext, manifest: Manifest): Promise<string | undefined>;
}

// Helper so each kind is typed against the interface while keeping its own config type.
export const defineKind = <C>(kind: ArtifactKind<C>): ArtifactKind<C> => kind;

type AnyKind = ArtifactKind<never>;

/** Every artifact type of the kinds, in manifest order: kind by kind, each in its declared order. */
export const artifactTypeOrder = (kinds: readonly AnyKind[]): string[] =>
  kinds.flatMap((k) => k.artifacts.map((a) => a.type));

/** The types that record something published elsewhere (an image, an upload, a pushed chart). */
export const publishedTypes = (kinds: readonly AnyKind[]): string[] =>
  kinds.flatMap((k) => k.artifacts.filter((a) => a.published).map((a) => a.type));

/** The GitHub release asset globs of the kinds' files, each once, inside the artifacts directory. */
export const githubAssetGlobs = (kinds: readonly AnyKind[]): string[] => [
  ...new Set(kinds.flatMap((k) => k.artifacts.flatMap((a) => (a.githubAsset ? [a.githubAsset] : [])))),
];
