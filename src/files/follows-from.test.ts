import { describe, expect, it } from 'vitest';
import { stackError as helmError } from '../kinds/helm/errors.js';
import { stackError as pythonError } from '../kinds/python/errors.js';
import { editText } from './edit-text.js';
import { followsFrom, withoutConsequences } from './follows-from.js';
import { resolveInRepo } from './safe-path.js';

const codes = (errors: Error[]) => errors.map((e) => (e as Error & { code: string }).code);
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => new Error('resolved'),
    (e: Error) => e,
  );

describe('withoutConsequences: one problem, one error', () => {
  it('drops what follows from a version file that cannot be parsed, keeps what does not', async () => {
    const broken = await rejection(editText('yaml', 'name: [x\n', 'version', '1.0.0', 'helm/c/Chart.yaml'));
    const chart = followsFrom(helmError('EINVALIDCHART', { path: 'helm/c/Chart.yaml', reason: 'x' }), [
      './helm/c/Chart.yaml',
    ]);
    const other = followsFrom(helmError('EINVALIDCHART', { path: 'helm/c/values.yaml', reason: 'y' }), [
      'helm/c/values.yaml',
    ]);
    const name = followsFrom(pythonError('EDISTNAME', { reason: 'setup.py failed' }), ['helm/c/Chart.yaml']);
    expect(codes(withoutConsequences([chart, broken, other, name]))).toEqual([
      'EINVALIDVERSIONFILE',
      'EINVALIDCHART',
    ]);
    // Without the parse error, the marked errors are the problem to report.
    expect(withoutConsequences([chart, name])).toEqual([chart, name]);
  });

  it('drops paths below a directory already reported outside the repository, and exact repeats', async () => {
    const root = process.cwd();
    const dir = await rejection(resolveInRepo(root, '../x', 'helm.chart'));
    const file = await rejection(resolveInRepo(root, '../x/Chart.yaml', 'helm.appVersion'));
    const sibling = await rejection(resolveInRepo(root, '../xy/values.yaml', 'helm.valuesFile'));
    const again = await rejection(resolveInRepo(root, '../x', 'helm.chart'));
    expect(withoutConsequences([file, dir, sibling, again])).toEqual([dir, sibling]);
  });
});
