import type { TestProject } from 'vitest/node';
import { startThrowawayMysql, startThrowawayPostgres } from '../bench/databases/index.ts';
import type { DatabaseTarget } from '../bench/databases/target.ts';

/**
 * One throwaway PostgreSQL and one throwaway MariaDB for the whole suite (about 2 s to start).
 * Each test file works in its own schema, so files never see each other's rows. A missing
 * MariaDB fails the run: CI installs it (scripts/install-mariadb.sh), nothing is skipped.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    mysqlUrl: string;
    pgVersion: string;
    mysqlProduct: string;
    mysqlVersion: string;
  }
}

let targets: DatabaseTarget[] = [];

export async function setup(project: TestProject): Promise<void> {
  targets = await Promise.all([startThrowawayPostgres(), startThrowawayMysql()]);
  const [pg, my] = targets as [DatabaseTarget, DatabaseTarget];
  project.provide('pgUrl', pg.spec.url);
  project.provide('pgVersion', pg.info.version);
  project.provide('mysqlUrl', my.spec.url);
  project.provide('mysqlProduct', my.info.product);
  project.provide('mysqlVersion', my.info.version);
}

export async function teardown(): Promise<void> {
  await Promise.allSettled(targets.map((t) => t.stop()));
}
