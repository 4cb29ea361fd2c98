import { redactConfig, redactUrl } from '../core/redact.ts';
import { type RunResult, SCHEMA_VERSION } from '../core/result-schema.ts';
import type { BenchConfig } from './config.ts';
import { environmentInfo, toolInfo } from './environment.ts';
import { reproduceCommand } from './reproduce.ts';

/** The parts of run.json fixed when a run starts. */
export type RunHeader = Pick<
  RunResult,
  'schemaVersion' | 'runId' | 'startedAt' | 'tool' | 'environment' | 'config' | 'command'
>;

/**
 * What a run records about itself, made once when it starts (the tool's git state and the
 * machine are read here, not at every checkpoint): passwords removed, the reproduce command for
 * the databases it plans to use.
 */
export function runHeader(
  runId: string,
  startedAt: Date,
  config: BenchConfig,
  databases: readonly string[],
): RunHeader {
  const tool = toolInfo();
  return {
    schemaVersion: SCHEMA_VERSION,
    runId,
    startedAt: startedAt.toISOString(),
    tool,
    environment: environmentInfo(),
    config: redactConfig(config),
    command: reproduceCommand(config, databases, tool.gitSha, redactUrl),
  };
}
