import { describe, expect, it } from 'vitest';
import { twineUpgrade } from './dist-check.js';

describe('twineUpgrade', () => {
  it('names the twine that reads a newer Metadata-Version, only when the installed one is older', () => {
    expect(twineUpgrade('2.4', '4.0.2')).toBe(
      "The distribution has Metadata-Version 2.4, which twine reads from 6.1.0 on; the interpreter has twine 4.0.2: install `twine>=6.1.0` (`pip install --upgrade 'twine>=6.1.0'`).",
    );
    expect(twineUpgrade('2.3', '6.0.1')).toContain('twine>=6.1.0');
    expect(twineUpgrade('2.2', '3.4.2')).toContain('twine>=3.7.0');
    expect(twineUpgrade('2.4', '6.1.0')).toBeUndefined();
    expect(twineUpgrade('2.1', '1.0.0')).toBeUndefined();
    expect(twineUpgrade('2.4', null)).toBeUndefined();
  });
});
