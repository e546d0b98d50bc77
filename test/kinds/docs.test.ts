import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPlugin } from '../../src/core/plugin.js';
import { kindByEntry } from '../../src/kinds/index.js';
import { recordingLogger, srContext } from '../helpers/contexts.js';

const docs = () => createPlugin([kindByEntry('docs')] as never, 'standalone');
const options = { dir: 'docs', name: 'os-vim-driver' };

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'srs-docs-kind-'));
  await mkdir(path.join(root, 'docs/api'), { recursive: true });
  await writeFile(path.join(root, 'docs/index.md'), '# Docs\n');
  await writeFile(path.join(root, 'docs/api/driver.md'), 'API\n');
});

describe('docs kind', () => {
  it('plans, then archives the docs under one versioned top folder and records it', async () => {
    const logger = recordingLogger();
    const ctx = srContext({ root, logger, version: '1.4.0', env: { SOURCE_DATE_EPOCH: '1700000000' } });
    await docs().verifyConditions(options, ctx);
    await docs().verifyRelease(options, ctx);
    expect(logger.text()).toContain('docs archive release-artifacts/os-vim-driver-1.4.0-docs.tgz');

    await docs().prepare(options, ctx);
    const archive = path.join(root, 'release-artifacts/os-vim-driver-1.4.0-docs.tgz');
    const listing = execFileSync('tar', ['-tzf', archive], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual([
      'os-vim-driver-1.4.0-docs/',
      'os-vim-driver-1.4.0-docs/api/',
      'os-vim-driver-1.4.0-docs/api/driver.md',
      'os-vim-driver-1.4.0-docs/index.md',
    ]);
    const manifest = JSON.parse(await readFile(path.join(root, 'release-artifacts/manifest.json'), 'utf8'));
    const sha256 = execFileSync('sha256sum', [archive], { encoding: 'utf8' }).split(' ')[0];
    expect(manifest.artifacts).toEqual([
      expect.objectContaining({ type: 'docs', name: 'os-vim-driver-1.4.0-docs.tgz', sha256 }),
    ]);
    expect(await readFile(path.join(root, 'release-artifacts/SHA256SUMS'), 'utf8')).toBe(
      `${sha256}  os-vim-driver-1.4.0-docs.tgz\n`,
    );
  });

  it('refuses a link out of the repository and a missing docs dir in verifyConditions', async () => {
    await symlink('/etc/passwd', path.join(root, 'docs/passwd'));
    const ctx = srContext({ root });
    await expect(docs().verifyConditions(options, ctx)).rejects.toMatchObject({ code: 'EDOCSLINKOUT' });
    await expect(docs().verifyConditions({ ...options, dir: 'no-docs' }, ctx)).rejects.toMatchObject({
      code: 'EDOCSMISSING',
    });
  });
});
