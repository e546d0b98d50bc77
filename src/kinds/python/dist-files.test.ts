import { describe, expect, it } from 'vitest';
import { findSdist, findWheel, otherVersions } from './dist-files.js';

describe('findWheel', () => {
  it('takes the expected name only, tolerating the spelling of older setuptools', () => {
    const expected = 'os_vim_driver-1.4.0-py3-none-any.whl';
    expect(findWheel(['os_vim_driver-1.3.0-py3-none-any.whl', expected], 'os-vim-driver', '1.4.0')).toBe(
      expected,
    );
    expect(findWheel(['Zope.Interface-1.4.0-py3-none-any.whl'], 'zope.interface', '1.4.0')).toBe(
      'Zope.Interface-1.4.0-py3-none-any.whl',
    );
    expect(
      findWheel(
        ['other-1.4.0-py3-none-any.whl', 'os_vim_driver-1.4.0-cp311-cp311-linux_x86_64.whl'],
        'os-vim-driver',
        '1.4.0',
      ),
    ).toBeUndefined();
    expect(
      findWheel(['os_vim_driver-1.4.0.dev0-py3-none-any.whl'], 'os-vim-driver', '1.4.0'),
    ).toBeUndefined();
  });
});

describe('findSdist', () => {
  it('takes the PEP 625 name, or the legacy spelling of setuptools < 69.3', () => {
    expect(findSdist(['saltmarsh_hatch-1.0.0.tar.gz'], 'saltmarsh-hatch', '1.0.0')).toBe(
      'saltmarsh_hatch-1.0.0.tar.gz',
    );
    expect(findSdist(['saltmarsh-scm-1.0.0.tar.gz', 'x.whl'], 'saltmarsh-scm', '1.0.0')).toBe(
      'saltmarsh-scm-1.0.0.tar.gz',
    );
    expect(findSdist(['Demo.Service-2.0.0b3.tar.gz'], 'demo-service', '2.0.0b3')).toBe(
      'Demo.Service-2.0.0b3.tar.gz',
    );
    expect(findSdist(['saltmarsh-scm-1.0.1.tar.gz'], 'saltmarsh-scm', '1.0.0')).toBeUndefined();
    expect(findSdist(['saltmarsh-1.0.0.tar.gz'], 'saltmarsh-scm', '1.0.0')).toBeUndefined();
    expect(findSdist(['saltmarsh_scm-1.0.0.zip'], 'saltmarsh-scm', '1.0.0')).toBeUndefined();
  });
});

describe('otherVersions', () => {
  it('lists this project built at another version, and nothing else', () => {
    expect(
      otherVersions(
        ['saltmarsh_scm-0.1.dev3-py3-none-any.whl', 'saltmarsh-scm-0.1.dev3.tar.gz', 'other-9.0.tar.gz'],
        'saltmarsh-scm',
        '1.0.0',
      ),
    ).toEqual([
      { file: 'saltmarsh_scm-0.1.dev3-py3-none-any.whl', version: '0.1.dev3' },
      { file: 'saltmarsh-scm-0.1.dev3.tar.gz', version: '0.1.dev3' },
    ]);
  });
});
