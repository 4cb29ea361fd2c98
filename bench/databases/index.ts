export type { ConnectionSpec, QueryResult, Sql } from '../../core/connect.ts';
export { DEFAULT_SCHEMA, dialectOfUrl, hostPort, openSql, redactUrl } from '../../core/connect.ts';
export { DEFAULT_SEED, readSeed, resetAndSeed, type SeedSizes } from '../../workloads/schema.ts';
export { connectExternal } from './external.ts';
export { stopAll, stopAllOnSignals } from './lifecycle.ts';
export { findMysqlServerBinary, MYSQL_FIX, startThrowawayMysql } from './mysql-throwaway.ts';
export { startThrowawayPostgres } from './postgres-throwaway.ts';
export { sweepStale, TEMP_ROOT } from './server-dirs.ts';
export type { DatabaseTarget } from './target.ts';
