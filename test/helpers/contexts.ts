import { releaseContext, stepContext, type RenderOptions, type SrContext } from '../../src/core/context.js';
import type { ReleaseContext, StepContext } from '../../src/kind.js';
import type { Logger } from '../../src/logger.js';

/** A logger that keeps every line, for assertions on what a step printed. */
export interface RecordingLogger extends Logger {
  lines: string[];
  text(): string;
}

export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (...args: unknown[]) => {
      const [format, ...rest] = args;
      let i = 0;
      const text =
        typeof format === 'string'
          ? format.replace(/%[sdjoO]/g, () => String(rest[i++]))
          : args.map(String).join(' ');
      lines.push(`${level}: ${[text, ...rest.slice(i).map(String)].join(' ')}`.trimEnd());
    };
  return {
    lines,
    text: () => lines.join('\n'),
    log: record('log'),
    warn: record('warn'),
    error: record('error'),
    success: record('success'),
  };
}

export interface FakeContextInput {
  root: string;
  env?: Record<string, string | undefined>;
  logger?: Logger;
  dryRun?: boolean;
  repositoryUrl?: string;
  branch?: {
    name: string;
    type: 'release' | 'maintenance' | 'prerelease';
    main?: boolean;
    prerelease?: string;
  };
  version?: string;
  gitHead?: string;
  channel?: string | null;
  lastRelease?: { version: string; gitTag: string };
  /** Tags semantic-release knows; a bare version has no channel note (it counts as the default's). */
  releasedVersions?: Array<string | { version: string; channels: Array<string | null> }>;
}

/** The semantic-release context object a plugin step would receive. */
export function srContext(input: FakeContextInput): SrContext {
  const branch = input.branch ?? { name: 'main', type: 'release', main: true };
  return {
    cwd: input.root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...input.env },
    logger: input.logger ?? recordingLogger(),
    options: {
      dryRun: input.dryRun ?? false,
      repositoryUrl: input.repositoryUrl ?? 'origin',
      tagFormat: 'v${version}',
    },
    branch: { main: branch.type === 'release', ...branch },
    branches: [
      {
        tags: (input.releasedVersions ?? []).map((tag) => (typeof tag === 'string' ? { version: tag } : tag)),
      },
    ],
    ...(input.version
      ? {
          nextRelease: {
            version: input.version,
            gitTag: `v${input.version}`,
            gitHead: input.gitHead ?? 'HEAD',
            channel: input.channel ?? null,
          },
        }
      : {}),
    ...(input.lastRelease ? { lastRelease: input.lastRelease } : {}),
  };
}

export function fakeStepContext(input: FakeContextInput): StepContext {
  return stepContext(srContext(input));
}

export function fakeReleaseContext(
  input: FakeContextInput & { version: string },
  renderOptions: RenderOptions = {},
): ReleaseContext {
  return releaseContext(srContext(input), renderOptions);
}
