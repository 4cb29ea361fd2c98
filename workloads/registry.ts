import { account } from './account/index.ts';
import { queue } from './queue/index.ts';
import { tickets } from './tickets/index.ts';
import { transfer } from './transfer/index.ts';
import type { AnyWorkload } from './workload.ts';

/** The built-in workloads, one line each; a new workload is its own folder plus one line here. */
export const BUILTIN_WORKLOADS: Readonly<Record<string, AnyWorkload>> = Object.freeze({
  account,
  transfer,
  tickets,
  queue,
});
