import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { dialectOfUrl } from '../core/connect.ts';
import type { StrategyName, Workload } from '../core/names.ts';
import { classify } from '../strategies/classify.ts';
import { createExecutor, type Executor, OperationFailed } from '../strategies/executor.ts';
import type { OperationResult, Outcome } from '../strategies/outcome.ts';
import { getWorkload, workloadNames } from '../workloads/catalog.ts';
import type { WorkloadOp } from '../workloads/workload.ts';
import { useJsonBodyParser } from './json-body.ts';
import { type ServerOptions, ServerOptionsSchema } from './options.ts';
import { ATTEMPTS_HEADER, type OperationResponse, OUTCOME_HEADER, type OutcomeKind } from './protocol.ts';
import {
  accountResponses,
  BODY_LIMIT,
  eventResponses,
  idParams,
  MAX_ID,
  operationResponses,
} from './schemas.ts';
import { StatsCounter } from './stats.ts';
import { localStatsSource, type StatsSource } from './stats-source.ts';

export interface BuildServerDeps {
  /** This process's counters. Default: a fresh one. */
  counter?: StatsCounter;
  /** What GET /stats reports. Default: this process's counter; servers/main.ts sums the workers. */
  stats?: StatsSource;
  /** Hears about 500s (a bug, or infrastructure that is not a lost connection). Default: ignored. */
  onInternalError?: (err: unknown) => void;
  /** Fastify's logger. Default off: no per-request logging on the hot path. */
  logger?: boolean;
  /**
   * Open the whole database pool when the app becomes ready (before it listens), instead of on
   * the first requests. Default false (tests that never touch the database stay cheap); the
   * server process sets it, so a cell's first second is not spent opening connections.
   */
  connectAtStart?: boolean;
  /**
   * Whether this database can run a strategy x workload (POST /admin/configure asks before it
   * changes anything). Default: every combination is accepted.
   */
  checkSupport?: (
    strategy: StrategyName,
    workload: Workload,
  ) => Promise<{ ok: true } | { ok: false; reason: string }>;
}

/**
 * What POST /admin/configure may change between cells: everything but the database, the schema,
 * the workers, the address and the drain time, which belong to the process. Missing fields take their defaults.
 */
export const ConfigureSchema = ServerOptionsSchema.omit({
  dbUrl: true,
  schema: true,
  workers: true,
  port: true,
  workloadModule: true,
  host: true,
  drainMs: true,
}).strict();
export type ConfigureBody = z.input<typeof ConfigureSchema>;

/** HTTP status of each final outcome (servers/protocol.ts). */
function statusOf(o: Outcome): number {
  switch (o.kind) {
    case 'ok':
      return 200;
    case 'rejected':
      return o.reason === 'insufficient_funds' ? 422 : 409;
    case 'conflict':
      return 409;
    case 'not_found':
      return 404;
    case 'key_reused':
      return 422;
    case 'error':
      return 503;
  }
}

const ERROR_NAME: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

type IdParams = { id: string };

/** x-attempts values, made once: the header is set on every operation reply. */
const ATTEMPTS_TEXT = Array.from({ length: 64 }, (_, i) => String(i));
const attemptsText = (n: number) => ATTEMPTS_TEXT[n] ?? String(n);

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The benchmark server for one strategy x workload on one database, as a Fastify app that does
 * not listen (tests drive it with `app.inject()`; servers/main.ts listens). Opens its pool
 * lazily; `app.close()` ends it.
 *
 * Routes: the workload's operation routes, GET /accounts/:id, GET /events/:id, GET /health,
 * GET /stats, POST /stats/reset. Invalid input -> 400 (413 too large, 415 not JSON, and a
 * `__proto__`/`constructor` key named as such), unknown id
 * -> 404, all without touching the data. Operation replies carry x-outcome and x-attempts; an
 * exhausted retry is 409, a lost database 503 (`database_unavailable`), never a crash.
 */
export function buildServer(options: Readonly<ServerOptions>, deps: BuildServerDeps = {}): FastifyInstance {
  const dialect = dialectOfUrl(options.dbUrl);
  if (!dialect) throw new TypeError('options.dbUrl is not a postgres:// or mysql:// URL');
  const counter = deps.counter ?? new StatsCounter();
  const stats = deps.stats ?? localStatsSource(counter);
  const onInternalError = deps.onInternalError ?? (() => {});
  const spec = { dialect, url: options.dbUrl, schema: options.schema };
  const executorFor = (
    o: Omit<ServerOptions, 'dbUrl' | 'schema' | 'workers' | 'port' | 'workloadModule'>,
  ): Executor =>
    createExecutor({
      spec,
      strategy: o.strategy,
      settings: {
        isolation:
          o.isolation === 'default'
            ? (getWorkload(o.workload).isolation?.[dialect] ?? 'default')
            : o.isolation,
        pool: o.pool,
        lockTimeout: o.lockTimeout,
        maxAttempts: o.maxAttempts,
        backoffBaseMs: o.backoffBaseMs,
        backoffCapMs: o.backoffCapMs,
        workMs: o.workMs,
        lockOrder: o.lockOrder,
      },
    });
  /**
   * The strategy and settings now served. POST /admin/configure replaces it between cells, so one
   * warm process serves many cells: a fresh Node process runs its hot paths unoptimised for
   * seconds, and that climb is not what a cell should measure. `closed`: the pool was ended by
   * POST /admin/quiesce (no session left, nothing can write).
   */
  const current = { options: { ...options }, executor: executorFor(options), closed: false };
  const closeExecutor = async () => {
    if (current.closed) return;
    current.closed = true;
    await current.executor.close();
  };

  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: BODY_LIMIT,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  // JSON only: a text/plain body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  // A valid JSON body with a `__proto__` key is refused with a 400 that names the key.
  useJsonBodyParser(app);
  app.addHook('onClose', closeExecutor);
  if (deps.connectAtStart) app.addHook('onReady', async () => current.executor.connectAll());

  function badRequest(reply: FastifyReply, status: number, message: string) {
    counter.badRequest();
    return reply.code(status).send({ error: ERROR_NAME[status] ?? 'bad_request', message });
  }

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 415) {
      const type = JSON.stringify(req.headers['content-type'] ?? '');
      return badRequest(reply, 415, `unsupported content-type ${type}: send application/json`);
    }
    if (status === 413)
      return badRequest(reply, 413, `request body too large: the limit is ${BODY_LIMIT} bytes`);
    if (status >= 400 && status < 500) return badRequest(reply, status, err.message);
    onInternalError(err);
    return reply.code(500).send({ error: 'internal', message: 'internal server error' });
  });
  app.setNotFoundHandler((req, reply) =>
    badRequest(reply, 404, `no route ${req.method} ${req.url.split('?')[0]}`),
  );

  /** Path id -> number, or a 400 already sent. */
  function pathId(reply: FastifyReply, params: IdParams): number | null {
    const id = Number(params.id);
    if (id > MAX_ID) {
      void badRequest(reply, 400, `params/id must be at most ${MAX_ID}`);
      return null;
    }
    return id;
  }

  function reply(res: FastifyReply, opId: string, r: OperationResult) {
    const o = r.outcome;
    if (o.kind === 'not_found') {
      counter.badRequest();
      return res.code(404).send({ error: 'not_found', message: `${o.entity} ${o.id} does not exist` });
    }
    if (o.kind === 'key_reused') {
      counter.badRequest();
      return res.code(422).send({
        error: 'idempotency_key_reused',
        message: `opId ${o.opId} was already used for a different operation (${o.differences.join('; ')}); nothing was applied: send a new opId`,
      });
    }
    counter.record(r);
    const body: OperationResponse = { outcome: o.kind, opId, attempts: r.attempts };
    if (o.kind === 'ok') {
      if (o.seatId !== undefined) body.seatId = o.seatId;
      if (o.balance !== undefined) body.balance = o.balance;
      if (o.itemId !== undefined) body.itemId = o.itemId;
      if (o.duplicate) body.duplicate = true;
    } else {
      body.reason = o.reason;
    }
    return res
      .code(statusOf(o))
      .header(OUTCOME_HEADER, o.kind satisfies OutcomeKind)
      .header(ATTEMPTS_HEADER, attemptsText(r.attempts))
      .send(body);
  }

  /**
   * Runs one operation and answers it. `run` is made once per route and the operation is its
   * argument, so a request allocates no closure here.
   */
  async function operate<Op extends { opId: string }>(
    res: FastifyReply,
    run: (op: Op) => Promise<OperationResult>,
    op: Op,
  ) {
    let r: OperationResult;
    try {
      r = await run(op);
    } catch (e) {
      const failed =
        e instanceof OperationFailed
          ? e
          : new OperationFailed(String(e), { cause: e, attempts: 1, conflicts: [], errorClass: 'other' });
      counter.recordFailure(failed);
      onInternalError(e);
      return res
        .code(500)
        .header(OUTCOME_HEADER, 'error' satisfies OutcomeKind)
        .header(ATTEMPTS_HEADER, attemptsText(failed.attempts))
        .send({
          outcome: 'error',
          opId: op.opId,
          attempts: failed.attempts,
          reason: 'internal',
        } satisfies OperationResponse);
    }
    return reply(res, op.opId, r);
  }

  /**
   * Every workload's routes are registered (a reconfigured process may serve another workload);
   * a route of a workload not being served answers like an unknown route.
   */
  function served(res: FastifyReply, workload: Workload, method: string, url: string): boolean {
    if (current.options.workload === workload) return true;
    void badRequest(res, 404, `no route ${method} ${url.split('?')[0]}`);
    return false;
  }
  for (const name of workloadNames()) {
    const workload = getWorkload(name);
    /** The served strategy's way to perform this workload's operations (checked at configure). */
    const run = (op: WorkloadOp) => {
      const attempt = workload.perform[current.options.strategy];
      if (!attempt) throw new Error(`${current.options.strategy} has no way to perform ${name} operations`);
      return current.executor.perform(attempt, op, workload.identity(op));
    };
    for (const route of Object.values(workload.operations)) {
      const schema = route.params
        ? { params: route.params, body: route.body, response: operationResponses }
        : { body: route.body, response: operationResponses };
      app.post<{ Params: Record<string, string>; Body: Record<string, unknown> }>(
        route.url,
        { schema },
        (req, res) => {
          if (!served(res, name, req.method, req.url)) return;
          const op = route.toOp(req.params, req.body);
          if ('invalid' in op && typeof op.invalid === 'string') {
            badRequest(res, 400, op.invalid);
            return;
          }
          return operate(res, run, op as WorkloadOp);
        },
      );
    }
  }

  /** A read that lost its database answers 503, like an operation. */
  async function read<T>(
    res: FastifyReply,
    what: string,
    id: number,
    run: (id: number) => Promise<T | null>,
  ) {
    try {
      const row = await run(id);
      return row ? row : badRequest(res, 404, `${what} ${id} does not exist`);
    } catch (e) {
      if (classify(e) === 'connection')
        return res.code(503).send({ error: 'database_unavailable', message: 'the database is unreachable' });
      throw e;
    }
  }

  const readAccount = (id: number) => current.executor.readAccount(id);
  app.get<{ Params: IdParams }>(
    '/accounts/:id',
    { schema: { params: idParams, response: accountResponses } },
    (req, res) => {
      const id = pathId(res, req.params);
      if (id === null) return;
      return read(res, 'account', id, readAccount);
    },
  );

  const readEvent = (id: number) => current.executor.readEvent(id);
  app.get<{ Params: IdParams }>(
    '/events/:id',
    { schema: { params: idParams, response: eventResponses } },
    (req, res) => {
      const id = pathId(res, req.params);
      if (id === null) return;
      return read(res, 'event', id, readEvent);
    },
  );

  // The two possible bodies are constant for a configuration: written once, sent as they are.
  const health = (up: boolean) =>
    JSON.stringify({
      status: up ? 'ok' : 'database_unavailable',
      strategy: current.options.strategy,
      workload: current.options.workload,
      dialect,
      isolation: current.executor.isolation,
      pid: process.pid,
    });
  let healthBodies = { up: health(true), down: health(false) };
  app.get('/health', async (_req, res) => {
    const up = !current.closed && (await current.executor.ping());
    return res
      .code(up ? 200 : 503)
      .type(JSON_TYPE)
      .send(up ? healthBodies.up : healthBodies.down);
  });

  // Between cells (the bench command): end every database session, so nothing writes while the
  // data is checked and PostgreSQL's backends flush their statistics; then serve the next cell.
  app.post('/admin/quiesce', async () => {
    await closeExecutor();
    return { quiesced: true };
  });
  app.post<{ Body: unknown }>('/admin/configure', async (req, res) => {
    const parsed = ConfigureSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, 400, z.prettifyError(parsed.error));
    const next = parsed.data;
    const support = (await deps.checkSupport?.(next.strategy, next.workload)) ?? { ok: true as const };
    if (!support.ok) {
      return res.code(422).send({
        error: 'unsupported',
        message: `${next.strategy} cannot run ${next.workload} here: ${support.reason}`,
      });
    }
    await closeExecutor();
    current.options = { ...current.options, ...next };
    current.executor = executorFor(current.options);
    current.closed = false;
    healthBodies = { up: health(true), down: health(false) };
    if (deps.connectAtStart) await current.executor.connectAll();
    await stats.reset();
    return { configured: true, strategy: next.strategy, workload: next.workload };
  });

  app.get('/stats', async () => stats.get());
  app.post('/stats/reset', async () => {
    await stats.reset();
    return { reset: true };
  });

  return app;
}
