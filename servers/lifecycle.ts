import type { FastifyInstance } from 'fastify';

/** The process's part in a fleet behind a load balancer: liveness, readiness and draining. */
export interface Lifecycle {
  /** From now on GET /readyz answers 503, so a load balancer routes elsewhere; requests are still served. */
  drain(): void;
  readonly draining: boolean;
}

/**
 * Adds GET /livez (200 while the process runs: a failing probe means restart it) and GET /readyz
 * (GET /health's answer, 200 when the database answers, or 503 `draining` once drain() was called:
 * a failing probe means send it no traffic). Call before the app listens.
 */
export function addLifecycleRoutes(app: FastifyInstance): Lifecycle {
  let draining = false;
  app.get('/livez', async () => ({ status: 'alive', pid: process.pid }));
  app.get('/readyz', async (_req, res) => {
    if (draining) return res.code(503).send({ status: 'draining', pid: process.pid });
    const health = await app.inject({ method: 'GET', url: '/health' });
    return res.code(health.statusCode).type('application/json; charset=utf-8').send(health.body);
  });
  return {
    drain: () => {
      draining = true;
    },
    get draining() {
      return draining;
    },
  };
}
