import { describe, expect, it } from 'vitest';
import { notesFromChangelog } from './notes.js';

const CHANGELOG = `# Changelog

## [1.1.0](https://example.com/compare/v1.0.0...v1.1.0) (2026-11-25)

### Features

* a feature

## 1.0.0 (2026-11-24)

* first
`;

describe('notesFromChangelog', () => {
  it('takes the section of the version, up to the next heading of its level', () => {
    expect(notesFromChangelog(CHANGELOG, '1.1.0')).toBe(
      '## [1.1.0](https://example.com/compare/v1.0.0...v1.1.0) (2026-11-25)\n\n### Features\n\n* a feature',
    );
    expect(notesFromChangelog(CHANGELOG, '1.0.0')).toBe('## 1.0.0 (2026-11-24)\n\n* first');
  });

  it('does not mistake a longer version for the one asked, and answers undefined when absent', () => {
    expect(notesFromChangelog('# 1.0.0-beta.1 (x)\n\nbeta\n', '1.0.0')).toBeUndefined();
    expect(notesFromChangelog(CHANGELOG, '2.0.0')).toBeUndefined();
  });
});
