import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closest, parseOptions, withoutGlobalOptions } from './options.js';

describe('parseOptions', () => {
  const schema = z
    .object({ versionFiles: z.array(z.string()).optional(), interpreter: z.string().optional() })
    .strict();

  it('reports every problem at once, with codes', () => {
    const result = parseOptions(schema, { versionFile: ['a'], interpreter: 3, extra: 1 }, 'python');
    expect(result.value).toBeUndefined();
    const codes = result.errors.map((e) => (e as Error & { code: string }).code).sort();
    expect(codes).toEqual(['EINVALIDOPTION', 'EUNKNOWNOPTION', 'EUNKNOWNOPTION']);
    const typo = result.errors.find((e) => e.message.includes('versionFile`'))! as Error & {
      details: string;
    };
    expect(typo.details).toContain('did you mean `versionFiles`');
  });

  it('returns the parsed value when valid', () => {
    expect(parseOptions(schema, { interpreter: 'python3' }, 'python').value).toEqual({
      interpreter: 'python3',
    });
  });
});

describe('withoutGlobalOptions', () => {
  it('drops keys semantic-release copied from the global options, keeps own and kept ones', () => {
    const globals = { branches: ['main'], tagFormat: 'v${version}', python: { versionFiles: ['a.json'] } };
    const config = { ...globals, docker: { image: 'x' } };
    expect(withoutGlobalOptions(config, globals)).toEqual({ docker: { image: 'x' } });
    expect(withoutGlobalOptions(config, globals, new Set(['python']))).toEqual({
      docker: { image: 'x' },
      python: { versionFiles: ['a.json'] },
    });
  });

  it('knows repositoryUrl after semantic-release put a token into the global one', () => {
    const globals = {
      repositoryUrl: 'https://x-access-token:t0k3n@github.com/acme/demo.git',
      originalRepositoryURL: 'https://github.com/acme/demo.git',
    };
    const config = { repositoryUrl: 'https://github.com/acme/demo.git', devVersion: true };
    expect(withoutGlobalOptions(config, globals)).toEqual({ devVersion: true });
  });
});

describe('closest', () => {
  it('suggests near misses only', () => {
    expect(closest('imageTagKy', ['imageTagKey', 'chart'])).toBe('imageTagKey');
    expect(closest('zzz', ['imageTagKey', 'chart'])).toBeUndefined();
  });
});
