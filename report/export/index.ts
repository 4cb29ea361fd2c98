export {
  BENCHER_MEASURES,
  type BencherMetric,
  type BencherMetricFormat,
  toBencherMetricFormat,
} from './bencher.ts';
export {
  type GithubBenchmarkEntry,
  type GithubBenchmarkFiles,
  toGithubActionBenchmark,
} from './github-action-benchmark.ts';
export { type MeasuredCell, measuredCells } from './measured-cells.ts';
export { EXPORT_FILES, writeExports } from './write-exports.ts';
