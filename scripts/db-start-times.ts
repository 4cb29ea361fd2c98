/**
 * Start and stop times of the throwaway servers, median (and min-max) of N runs each:
 * `npx tsx scripts/db-start-times.ts [N=5]`. Prints its figures; measures nothing else.
 */
import {
  findMysqlServerBinary,
  startThrowawayMysql,
  startThrowawayPostgres,
} from '../bench/databases/index.ts';
import { median } from '../bench/stats/median.ts';

const n = Number(process.argv[2] ?? 5);
const starters = {
  postgres: startThrowawayPostgres,
  ...(findMysqlServerBinary() ? { mysql: startThrowawayMysql } : {}),
};
for (const [name, start] of Object.entries(starters)) {
  const starts: number[] = [];
  const stops: number[] = [];
  let version = '';
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const t = await start();
    const t1 = performance.now();
    await t.stop();
    starts.push(t1 - t0);
    stops.push(performance.now() - t1);
    version = `${t.info.product} ${t.info.version}`;
  }
  const fmt = (xs: number[]) =>
    `median ${Math.round(median(xs))} ms (${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))})`;
  console.log(`${name} (${version}), ${n} runs: start ${fmt(starts)}, stop ${fmt(stops)}`);
}
