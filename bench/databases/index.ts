export type { ConnectionSpec, QueryResult, Sql } from './connect.ts';
export { DEFAULT_SCHEMA, dialectOfUrl, hostPort, openSql, redactUrl } from './connect.ts';
export { connectExternal } from './external.ts';
export { stopAll, stopAllOnSignals } from './lifecycle.ts';
export { findMysqlServerBinary, MYSQL_FIX, startThrowawayMysql } from './mysql-throwaway.ts';
export { startThrowawayPostgres } from './postgres-throwaway.ts';
export { DEFAULT_SEED, readSeed, resetAndSeed, type SeedSizes } from './schema.ts';
export { sweepStale, TEMP_ROOT } from './server-dirs.ts';
export type { DatabaseTarget, Durability } from './target.ts';
