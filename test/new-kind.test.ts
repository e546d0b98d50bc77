/**
 * A kind is one folder and one line: a throwaway kind (`sample`) is added to a copy of this project
 * as a folder under src/kinds/ (its kind object, standalone plugin, error table), its chapter in
 * docs/kinds/, and its import and entry in the list of kinds. Nothing else central is touched, and
 * the real derivations pick it up: the build compiles it, the package exports its entry point, the
 * preset attaches its files and commits its version file, the README gets its chapter and its error
 * codes, ENOKINDS names it, and a release through the REAL semantic-release CLI plans it, writes its
 * version field, builds its artifact into the manifest and publishes it.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitAndPush, createRepo, showFile, tagsOf, type TestRepo } from './helpers/git.js';
import { PROJECT_ROOT, runSemanticRelease } from './helpers/semantic-release.js';

const SAMPLE_INDEX = `import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineKind } from '../../kind.js';
import { SAMPLE_ERRORS, stackError } from './errors.js';

interface SampleConfig {
  file: string;
  drop: string;
}

/** A throwaway kind: a note file per release, "published" by copying it into a drop folder. */
export const sampleKind = defineKind<SampleConfig>({
  name: 'sample',
  entry: 'sample',
  artifacts: [{ type: 'sample-note', githubAsset: '*.note' }, { type: 'sample-drop', published: true }],
  errors: SAMPLE_ERRORS,
  preset: {
    versionFiles: (options) => (typeof options.file === 'string' ? [options.file] : []),
    defaultVersionFiles: ['**/sample.json'],
  },
  resolveConfig(raw) {
    const o = (raw ?? {}) as Partial<SampleConfig>;
    if (typeof o.file !== 'string' || typeof o.drop !== 'string')
      return { config: undefined, errors: [stackError('ESAMPLECONFIG', {})] };
    return { config: { file: o.file, drop: o.drop }, errors: [] };
  },
  versionFields: (config) => [{ path: config.file, option: 'sample.file', render: 'chartVersion' }],
  plan: (config, ctx) => [
    { action: 'build', text: \`sample note \${ctx.release.version}.note\` },
    { action: 'publish', text: \`sample note → \${config.drop}\` },
  ],
  async prepare(_config, ctx) {
    await mkdir(ctx.artifactsDir, { recursive: true });
    const file = path.join(ctx.artifactsDir, \`\${ctx.release.version}.note\`);
    await writeFile(file, \`sample \${ctx.release.version}\\n\`);
    return [{ kind: 'sample', type: 'sample-note', name: path.basename(file), path: path.relative(ctx.root, file) }];
  },
  async publish(config, ctx, manifest) {
    const note = manifest.artifacts.find((a) => a.type === 'sample-note');
    const target = path.join(config.drop, note!.name);
    await copyFile(path.resolve(ctx.root, note!.path!), target);
    return {
      outcomes: [{ status: 'published', what: target }],
      artifacts: [{ kind: 'sample', type: 'sample-drop', name: note!.name, refs: [target] }],
      release: { name: \`Sample note \${note!.name}\`, url: \`file://\${target}\` },
    };
  },
});
`;

const SAMPLE_ERRORS = `import { errorFactory, type ErrorTable } from '../../errors.js';

export const SAMPLE_ERRORS = {
  ESAMPLECONFIG: () => ({
    message: 'The sample kind needs \`file\` and \`drop\`.',
    details: 'Set both options of the \`sample\` section.',
  }),
} satisfies ErrorTable;

export const stackError = errorFactory(SAMPLE_ERRORS);
`;

const SAMPLE_PLUGIN = `import { standalonePlugin } from '../../core/plugin.js';
import { sampleKind } from './index.js';

export const { verifyConditions, verifyRelease, prepare, publish, addChannel, success } =
  standalonePlugin(sampleKind);
`;

const SAMPLE_CHAPTER = `## sample

A throwaway kind that proves a kind is one folder and one line.

### Error codes

| Code            | What happened                | Fix                |
| --------------- | ---------------------------- | ------------------ |
| \`ESAMPLECONFIG\` | \`file\` or \`drop\` is missing. | Set both options.  |
`;

let copy: string;
let consumer: string;
let repo: TestRepo | undefined;

/** The project as it is now, without its build, tests and git; node_modules shared by a link. */
async function copyProject(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'srs-new-kind-'));
  for (const entry of [
    'src',
    'scripts',
    'docs',
    'README.md',
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
    '.prettierrc.json',
  ])
    await cp(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  await symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** The folder, the chapter, and the line (its import and its entry) in the list of kinds. */
async function addSampleKind(dir: string): Promise<void> {
  const folder = path.join(dir, 'src/kinds/sample');
  await mkdir(folder);
  await writeFile(path.join(folder, 'index.ts'), SAMPLE_INDEX);
  await writeFile(path.join(folder, 'errors.ts'), SAMPLE_ERRORS);
  await writeFile(path.join(folder, 'plugin.ts'), SAMPLE_PLUGIN);
  await writeFile(path.join(dir, 'docs/kinds/sample.md'), SAMPLE_CHAPTER);
  const list = path.join(dir, 'src/kinds/index.ts');
  const text = await readFile(list, 'utf8');
  await writeFile(
    list,
    text
      .replace(
        "import { pythonKind } from './python/index.js';",
        "$&\nimport { sampleKind } from './sample/index.js';",
      )
      .replace('  devVersionKind,\n]', '  sampleKind,\n  devVersionKind,\n]'),
  );
}

/** Every file of a tree, relative, with its bytes. */
async function tree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, file), await readFile(file, 'utf8'));
  }
  return files;
}

beforeAll(async () => {
  copy = await copyProject();
  await addSampleKind(copy);
  execFileSync(process.execPath, [path.join(copy, 'scripts/build.mjs'), copy], { stdio: 'pipe' });
  execFileSync(process.execPath, ['scripts/readme.mjs'], { cwd: copy, stdio: 'pipe' });
  consumer = await mkdtemp(path.join(tmpdir(), 'srs-new-kind-consumer-'));
  await mkdir(path.join(consumer, 'node_modules'));
  await symlink(copy, path.join(consumer, 'node_modules/semantic-release-stack'));
}, 240_000);

afterAll(async () => {
  await repo?.cleanup();
  for (const dir of [copy, consumer]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a throwaway kind added as a folder and a line', () => {
  it('touches nothing central but the list of kinds', async () => {
    const before = await tree(path.join(PROJECT_ROOT, 'src'));
    const after = await tree(path.join(copy, 'src'));
    const changed = [...after.keys()].filter((f) => before.get(f) !== after.get(f)).sort();
    expect(changed).toEqual([
      'kinds/index.ts',
      'kinds/sample/errors.ts',
      'kinds/sample/index.ts',
      'kinds/sample/plugin.ts',
    ]);
    const lines = (text: string) => new Set(text.split('\n'));
    const old = lines(before.get('kinds/index.ts')!);
    expect([...lines(after.get('kinds/index.ts')!)].filter((l) => !old.has(l))).toEqual([
      "import { sampleKind } from './sample/index.js';",
      '  sampleKind,',
    ]);
  });

  it('is built, exported as `semantic-release-stack/sample`, and known to the preset and the error table', async () => {
    const script = `
      const sample = await import('semantic-release-stack/sample');
      const preset = await import('semantic-release-stack/preset');
      const { ERRORS, KINDS } = await import(${JSON.stringify(pathToFileURL(path.join(copy, 'dist/kinds/index.js')).href)});
      const composite = await import('semantic-release-stack');
      const error = await composite
        .verifyConditions({}, { cwd: process.cwd(), env: {}, logger: console, options: {} })
        .catch((e) => e);
      console.log(JSON.stringify({
        steps: Object.keys(sample).sort(),
        assets: preset.GITHUB_ASSETS.map((a) => a.path),
        gitAssets: preset.createPreset({ stack: { sample: { file: 'sample.json', drop: '/x' } } }).plugins[4][1].assets,
        defaults: preset.DEFAULT_VERSION_FILE_PATTERNS,
        codes: Object.keys(ERRORS).filter((c) => c.startsWith('ESAMPLE')),
        kinds: KINDS.map((k) => k.name),
        enokinds: error.details,
      }));
    `;
    const { stdout } = await execa(process.execPath, ['--input-type=module', '-e', script], {
      cwd: consumer,
    });
    const seen = JSON.parse(stdout) as Record<string, unknown>;
    expect(seen.steps).toEqual([
      'addChannel',
      'prepare',
      'publish',
      'success',
      'verifyConditions',
      'verifyRelease',
    ]);
    expect(seen.assets).toContain('release-artifacts/*.note');
    expect(seen.gitAssets).toEqual(['sample.json', 'CHANGELOG.md']);
    expect(seen.defaults).toContain('**/sample.json');
    expect(seen.codes).toEqual(['ESAMPLECONFIG']);
    expect(seen.kinds).toEqual(['python', 'docs', 'docker', 'helm', 'sample', 'devVersion']);
    expect(seen.enokinds).toContain('`sample`');
  });

  it('has its chapter, with its error codes, in the README', async () => {
    const readme = await readFile(path.join(copy, 'README.md'), 'utf8');
    expect(readme).toContain(
      'docs/kinds/helm.md, docs/kinds/sample.md, docs/kinds/dev-version.md by scripts/readme.mjs',
    );
    expect(readme).toMatch(/\n## sample\n[\s\S]*`ESAMPLECONFIG`[\s\S]*<!-- END kinds -->/);
  });

  it('is planned and released by the real semantic-release CLI', async () => {
    repo = await createRepo({
      files: { '.gitignore': 'release-artifacts/\n', 'sample.json': '{"version": "0.0.0"}\n' },
    });
    const drop = await mkdtemp(path.join(tmpdir(), 'srs-new-kind-drop-'));
    try {
      await commitAndPush(repo, 'feat: something', { 'src.txt': 'x\n' });
      const result = await runSemanticRelease(repo, {
        config: {
          branches: ['main'],
          repositoryUrl: repo.remoteUrl,
          plugins: [
            '@semantic-release/commit-analyzer',
            '@semantic-release/release-notes-generator',
            [path.join(copy, 'dist/index.js'), { sample: { file: 'sample.json', drop } }],
            ['@semantic-release/git', { assets: ['sample.json'] }],
          ],
        },
      });
      expect(result.code, result.output).toBe(0);
      expect(result.output).toContain('build   sample note 1.0.0.note');
      expect(result.output).toContain(`publish sample note → ${drop}`);
      expect(await tagsOf(repo.remote)).toEqual(['v1.0.0']);
      expect(JSON.parse(await showFile(repo.remote, 'v1.0.0', 'sample.json'))).toEqual({ version: '1.0.0' });
      expect(await readFile(path.join(drop, '1.0.0.note'), 'utf8')).toBe('sample 1.0.0\n');
      const manifest = JSON.parse(
        await readFile(path.join(repo.dir, 'release-artifacts/manifest.json'), 'utf8'),
      );
      expect(manifest.artifacts.map((a: { type: string }) => a.type)).toEqual(['sample-note', 'sample-drop']);
    } finally {
      await rm(drop, { recursive: true, force: true });
    }
  });
});
