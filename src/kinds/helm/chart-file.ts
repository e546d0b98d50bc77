/** One file of a chart, named relative to the chart's folder, as Helm's loader holds it. */
export interface ChartFile {
  name: string;
  data: Buffer;
}

/** Helm's MaxDecompressedFileSize: the largest file a chart may hold. */
export const MAX_FILE = 5 * 1024 * 1024;
/** Helm's MaxDecompressedChartSize: the most a chart archive may unpack to. */
export const MAX_CHART = 100 * 1024 * 1024;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Helm drops a UTF-8 byte-order mark from every file it loads. */
export const stripBom = (b: Buffer): Buffer => (b.subarray(0, 3).equals(BOM) ? b.subarray(3) : b);
