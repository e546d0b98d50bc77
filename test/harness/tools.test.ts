import { describe, expect, it } from 'vitest';
import { findTool, requirePythonModule, requireTool } from '../helpers/tools.js';

describe('requireTool', () => {
  it('resolves a tool on PATH to its path', async () => {
    const git = await requireTool('git', 'apt-get install git');
    expect(git).toMatch(/\/git$/);
    expect(findTool(git)).toBe(git);
  });

  it('throws "<name> is missing: <hint>" for a tool that is not there', async () => {
    await expect(requireTool('srs-no-such-tool', 'apt-get install srs-no-such-tool')).rejects.toThrow(
      'srs-no-such-tool is missing: apt-get install srs-no-such-tool',
    );
    await expect(requireTool('/nonexistent/bin/tool', 'apt-get install tool')).rejects.toThrow(
      '/nonexistent/bin/tool is missing: apt-get install tool',
    );
  });

  it('checks python modules of Debian python3', async () => {
    await expect(requirePythonModule('json', 'n/a')).resolves.toBe('/usr/bin/python3');
    await expect(requirePythonModule('srs_no_such_module', 'apt-get install python3-x')).rejects.toThrow(
      /python module srs_no_such_module .* is missing: apt-get install python3-x/,
    );
  });
});
