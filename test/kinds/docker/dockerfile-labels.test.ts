import { describe, expect, it } from 'vitest';
import {
  appendLabels,
  dockerignoreExcludesItself,
  quote,
} from '../../../src/kinds/docker/builders/dockerfile-labels.js';

const text = (dockerfile: string, labels: Record<string, string>) =>
  appendLabels(Buffer.from(dockerfile), labels)?.dockerfile.toString('utf8');

describe('appendLabels', () => {
  it('appends one LABEL instruction, one label per line, after the unchanged Dockerfile', () => {
    expect(text('FROM scratch\nCOPY whls/ /whls/\n', { 'org.a': '1', 'org.b': 'two words' })).toBe(
      'FROM scratch\nCOPY whls/ /whls/\nLABEL "org.a"="1" \\\n      "org.b"="two words"\n',
    );
  });

  it('adds the final newline a Dockerfile lacks', () => {
    expect(text('FROM scratch\nCOPY a /a', { k: 'v' })).toBe('FROM scratch\nCOPY a /a\nLABEL "k"="v"\n');
  });

  it('closes an instruction the file leaves open with a continuation, as the end of the file does', () => {
    expect(text('FROM scratch\nCOPY a \\\n  /a/ \\  \n# a comment \\\n\n', { k: 'v' })).toBe(
      'FROM scratch\nCOPY a \\\n  /a/ \n# a comment \\\n\n' + 'LABEL "k"="v"\n',
    );
    expect(text('FROM scratch\r\nCOPY a \\\r\n /a \\\r\n', { k: 'v' })).toBe(
      'FROM scratch\r\nCOPY a \\\r\n /a \r\n' + 'LABEL "k"="v"\n',
    );
  });

  it('keeps parser directives first and follows `# escape=`', () => {
    expect(
      text('# syntax=docker/dockerfile:1.7\n# escape=`\nFROM scratch\nCOPY a `\n /a `', { k: 'a`"$\\' }),
    ).toBe(
      '# syntax=docker/dockerfile:1.7\n# escape=`\nFROM scratch\nCOPY a `\n /a \n' +
        'LABEL "k"="a```"`$\\"\n',
    );
    expect(text('\ufeff# escape=`\nFROM scratch\n', { k: 'v', l: 'w' })).toBe(
      '\ufeff# escape=`\nFROM scratch\nLABEL "k"="v" `\n      "l"="w"\n',
    );
  });

  it('leaves the flags alone for a BuildKit frontend that may not speak Dockerfile', () => {
    expect(
      appendLabels(Buffer.from('# syntax=example.com/other/frontend:1\nFROM scratch\n'), { k: 'v' }),
    ).toBe(undefined);
    for (const syntax of [
      'docker/dockerfile:1',
      'docker.io/docker/dockerfile:1.4-labs',
      'mirror.example.com:5000/docker/dockerfile-upstream:master',
      `docker/dockerfile@sha256:${'a'.repeat(64)}`,
    ])
      expect(appendLabels(Buffer.from(`# syntax=${syntax}\nFROM scratch\n`), { k: 'v' })).toBeDefined();
  });

  it('keeps labels that Dockerfile syntax cannot carry as flags', () => {
    const long = 'x'.repeat(70_000);
    const result = appendLabels(Buffer.from('FROM scratch\n'), {
      a: 'line\nbreak',
      b: 'ok',
      c: 'cr\r',
      d: long,
    });
    expect(result?.flagLabels).toEqual({ a: 'line\nbreak', c: 'cr\r', d: long });
    expect(result?.dockerfile.toString('utf8')).toBe('FROM scratch\nLABEL "b"="ok"\n');
    expect(appendLabels(Buffer.from('FROM scratch\n'), { a: 'x\ny' })).toBe(undefined);
  });

  it('keeps bytes that are not UTF-8, and writes the labels as UTF-8', () => {
    const original = Buffer.from([...Buffer.from('FROM scratch\n# '), 0xff, 0xfe, 0x0a]);
    const result = appendLabels(original, { k: 'ü €' })!.dockerfile;
    expect(result.subarray(0, original.length).equals(original)).toBe(true);
    expect(result.subarray(original.length).toString('utf8')).toBe('LABEL "k"="ü €"\n');
  });
});

describe('quote', () => {
  it('escapes the escape character, `"` and `$` (LABEL expands variables), nothing else', () => {
    expect(quote('a "b" \\ $HOME ${X} \'s\' `t` \t')).toBe('"a \\"b\\" \\\\ \\$HOME \\${X} \'s\' `t` \t"');
    expect(quote('a\\`$', '`')).toBe('"a\\```$"');
    expect(quote('')).toBe('""');
  });
});

describe('dockerignoreExcludesItself', () => {
  it.each([
    ['.dockerignore\n', true],
    ['/.dockerignore\n', true],
    ['./.dockerignore/\n', true],
    ['  .dockerignore  \r\n', true],
    ['\ufeff.dockerignore', true],
    ['**/.dockerignore', true],
    ['.*', true],
    ['*\n!app/\n', true],
    ['**', true],
    ['.docker?gnore', true],
    ['.git\n__pycache__\n', false],
    ['', false],
    ['# .dockerignore', false],
    ['.dockerignore\n!.dockerignore\n', false],
    ['*\n!.docker*\n', false],
    ['*\n!.docker*\n.dockerignore\n', true],
    ['sub/.dockerignore', false],
    ['.dockerignore.bak', false],
    ['.dockerignore\n!\n', false],
    ['.dockerignore\n[\n', false],
  ])('%j → %s', (file, expected) => {
    expect(dockerignoreExcludesItself(file)).toBe(expected);
  });
});
