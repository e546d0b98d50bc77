import type { PluginCaches } from './core/caches.js';
import type { ExecContext } from './exec.js';
import type { Manifest, Artifact } from './core/manifest.js';
import type { FileType } from './files/index.js';
import type { BranchKind, Renderings } from './version.js';

/** Which release a step is about, as semantic-release decided it. */
export interface Release {
  version: string;
  gitTag: string;
  gitHead: string;
  /** Distribution channel (`beta`, `next`…); undefined for the default channel. */
  channel: string | undefined;
  versions: Renderings;
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
  /** The plugin instance's caches (see core/caches.ts). */
  caches: PluginCaches;
}

export interface ReleaseContext extends StepContext {
  release: Release;
  /** Last release on this branch, if any (maintenance-vs-latest decisions). */
  lastRelease: { version: string; gitTag: string } | undefined;
  /** Every release tag semantic-release knows on the repo (for "is this the newest?" rules). */
  releasedVersions: string[];
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

/** One line of the release plan ("what will this release do?"). */
export interface PlanLine {
  action: 'edit' | 'build' | 'publish' | 'sign' | 'tag' | 'dev';
  text: string;
}

export type ConfigResult<C> = { config: C; errors: [] } | { config: undefined; errors: Error[] };

/**
 * One artifact kind (python, docs, docker, helm, devVersion). The composite plugin, the standalone
 * plugins and the release plan are all generated from the list of kinds in `kinds/index.ts`, so a new
 * kind is one folder plus one line there.
 */
export interface ArtifactKind<C = unknown> {
  /** Section name in the composite's options (`python`) … */
  name: string;
  /** … and the subpath of its standalone entry point (`semantic-release-stack/python`). */
  entry: string;
  /** Kinds whose prepared artifacts this one consumes (docker needs python's wheel). */
  after?: readonly string[];
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
  /** Publish; returns the artifacts it updated (e.g. an image with its pushed digest). */
  publish?(config: C, ctx: ReleaseContext, manifest: Manifest): Promise<Artifact[]>;
  success?(config: C, ctx: ReleaseContext, manifest: Manifest): Promise<void>;
}

// Helper so each kind is typed against the interface while keeping its own config type.
export const defineKind = <C>(kind: ArtifactKind<C>): ArtifactKind<C> => kind;
