// Child process of the chart/edits benchmark (plain node, no transform): times the stack's
// packageChart on a chart folder and applyEdits on a set of version files, `runs` times each after
// one untimed call, and prints {chart: {coldMs, ms: [...]}, edits: {coldMs, ms: [...]}} as JSON.
// Usage: node chart-child.mjs <dist dir> <chart dir> <edits root> <runs>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, chartDir, editsRoot, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
const { packageChart } = await import(pathToFileURL(join(dist, 'kinds/helm/package-chart.js')).href);
const { applyEdits, newFileCaches } = await import(pathToFileURL(join(dist, 'files/index.js')).href);

async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const out = mkdtempSync(join(tmpdir(), 'srs-bench-chart-'));
const chart = { ms: [] };
chart.coldMs = await time(() =>
  packageChart({ chartDir, outDir: out, mtime: 1700000000, version: '1.4.0', appVersion: '1.4.0' }),
);
for (let i = 0; i < runs; i++) {
  chart.ms.push(
    await time(() =>
      packageChart({
        chartDir,
        outDir: out,
        mtime: 1700000000,
        version: `1.4.${i + 1}`,
        appVersion: '1.4.0',
      }),
    ),
  );
}
rmSync(out, { recursive: true, force: true });

const editsFor = (v) => [
  { path: 'osvimdriver/pkg_info.json', value: v, option: 'python.versionFiles[0]' },
  { path: 'helm/os-vim-driver/Chart.yaml', key: 'version', value: v, option: 'helm.chart' },
  { path: 'helm/os-vim-driver/Chart.yaml', key: 'appVersion', value: v, option: 'helm.chart' },
  { path: 'helm/os-vim-driver/values.yaml', key: 'docker.version', value: v, option: 'helm.imageTagKey' },
];
const edits = { ms: [] };
// One plugin instance's caches across the runs, as one release's steps share them.
const caches = newFileCaches();
edits.coldMs = await time(() => applyEdits(editsRoot, editsFor('2.0.0'), { caches }));
for (let i = 0; i < runs; i++)
  edits.ms.push(await time(() => applyEdits(editsRoot, editsFor(`2.0.${i + 1}`), { caches })));
console.log(JSON.stringify({ chart, edits }));
