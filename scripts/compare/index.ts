export {
  type CellGroup,
  cellLabel,
  groupCells,
  levelLabel,
  measuredRepeats,
  metricSpread,
  peerGroupId,
} from './cell-groups.ts';
export { type CliOutput, runCompareCommand } from './cli.ts';
export {
  COMPARE_MODES,
  type ComparedMetric,
  type CompareMode,
  type CompareOptions,
  type Comparison,
  compareRuns,
  DEFAULT_COMPARE_OPTIONS,
  DEFAULT_THRESHOLD,
} from './compare-runs.ts';
export {
  type CorrectnessFailure,
  type CorrectnessReport,
  checkCorrectness,
  type ExpectedUnsafe,
} from './correctness.ts';
export { type Estimate, figureEstimate, quotientEstimate } from './estimate.ts';
export { loadRun } from './load-run.ts';
export { METRIC_NAMES, METRICS, type MetricName, type MetricSpec } from './metrics.ts';
export { COMPARE_USAGE, type CompareArgs, parseCompareArgs, parsePercent } from './options.ts';
export { chooseReferences, type PeerReference, relativeEstimate } from './relative.ts';
export { renderComparisonMarkdown } from './render-markdown.ts';
export { type Spread, spreadOf } from './spread.ts';
export { type Judgement, judge, VERDICTS, type Verdict, type VerdictReason } from './verdict.ts';
