import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    { services?: Record<string, { image: string; ports?: string[]; options?: string }>; steps: Step[] }
  >;
}

const workflow = parse(readFileSync(join(root, '.github/workflows/bench.yml'), 'utf8')) as Workflow;
const job = workflow.jobs.bench;
const steps = job?.steps ?? [];
const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.run ? [s.run] : [])));
const stepIndex = (pred: (s: Step) => boolean) => steps.findIndex(pred);

describe('.github/workflows/bench.yml', () => {
  it('runs on pull requests and on pushes to main', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
    expect(workflow.on.push).toEqual({ branches: ['main'] });
  });

  it('every `npm run X` it names is a script in package.json', () => {
    const scripts =
      (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> })
        .scripts ?? {};
    const named = runs.flatMap((r) => [...r.matchAll(/\bnpm run(?:-script)? ([\w:.-]+)/g)].map((m) => m[1]));
    expect([...new Set(named)].sort()).toEqual(['bench:ci', 'compare']);
    for (const name of named) expect(Object.keys(scripts), `npm run ${name}`).toContain(name);
  });

  it('has postgres:17 and mysql:8.4 services with health checks on localhost ports', () => {
    const services = job?.services ?? {};
    expect(services.postgres?.image).toBe('postgres:17');
    expect(services.postgres?.ports).toEqual(['5432:5432']);
    expect(services.postgres?.options).toMatch(/--health-cmd "pg_isready/);
    expect(services.mysql?.image).toBe('mysql:8.4');
    expect(services.mysql?.ports).toEqual(['3306:3306']);
    expect(services.mysql?.options).toMatch(/--health-cmd "mysqladmin ping/);
  });

  it('checks out, sets up Node 20, installs, benchmarks, compares, then summarises and uploads always', () => {
    const checkout = stepIndex((s) => s.uses?.startsWith('actions/checkout@') ?? false);
    const node = stepIndex((s) => s.uses?.startsWith('actions/setup-node@') ?? false);
    const ci = stepIndex((s) => s.run === 'npm ci');
    const bench = stepIndex((s) => s.run?.includes('npm run bench:ci') ?? false);
    const compare = stepIndex((s) => s.run?.includes('npm run compare') ?? false);
    const summary = stepIndex((s) => s.run?.includes('$GITHUB_STEP_SUMMARY') ?? false);
    const upload = stepIndex((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);
    expect([checkout, node, ci, bench, compare, summary, upload].every((i) => i >= 0)).toBe(true);
    expect([checkout, node, ci, bench, compare, summary, upload]).toEqual(
      [checkout, node, ci, bench, compare, summary, upload].slice().sort((a, b) => a - b),
    );
    expect(steps[node]?.with?.['node-version']).toBe(20);
    expect(steps[summary]?.if).toBe('always()');
    expect(steps[summary]?.run).toContain('cat compare.md >> "$GITHUB_STEP_SUMMARY"');
    expect(steps[upload]?.if).toBe('always()');
    expect(String(steps[upload]?.with?.path)).toContain('results/');
  });

  it('passes the exact flags to the preset and compares the committed baseline with results/latest', () => {
    const bench = runs.find((r) => r.includes('npm run bench:ci')) ?? '';
    expect(bench.trim()).toBe(
      'npm run bench:ci -- --pg-url postgres://postgres:postgres@127.0.0.1:5432/postgres ' +
        '--mysql-url mysql://root:root@127.0.0.1:3306/mysql --out results',
    );
    expect(runs).toContain('npm run compare -- results/baselines/ci results/latest --out compare.md');
  });

  describe('the ab job (pull requests)', () => {
    const ab = workflow.jobs.ab as (typeof workflow.jobs)[string] & {
      if?: string;
      permissions?: Record<string, string>;
    };
    const abSteps = ab?.steps ?? [];
    const find = (pred: (s: Step) => boolean) => abSteps.findIndex(pred);

    it('runs on pull requests only, with the rights to comment', () => {
      expect(ab?.if).toBe("github.event_name == 'pull_request'");
      expect(ab?.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    });

    it('fetches history, runs the CI matrix as A/B against the base branch, then summarises, comments and uploads', () => {
      const checkout = abSteps[find((s) => s.uses?.startsWith('actions/checkout@') ?? false)];
      expect(checkout?.with?.['fetch-depth']).toBe(0);
      const run = abSteps.find((s) => s.run?.includes('--ab '))?.run ?? '';
      expect(run).toContain('npm run bench:ci --');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
      expect(run).toContain('--ab base=origin/${{ github.base_ref }}');
      expect(run).toContain('--out results-ab');
      const bench = find((s) => s.run?.includes('--ab ') ?? false);
      const summary = find((s) => s.run?.includes('$GITHUB_STEP_SUMMARY') ?? false);
      const comment = find((s) => s.uses?.startsWith('actions/github-script@') ?? false);
      const upload = find((s) => s.uses?.startsWith('actions/upload-artifact@') ?? false);
      expect([bench, summary, comment, upload].every((i) => i > 0)).toBe(true);
      expect(bench).toBeLessThan(summary);
      expect(summary).toBeLessThan(comment);
      expect(comment).toBeLessThan(upload);
      expect(abSteps[summary]?.run).toContain('cat results-ab/latest/ab.md >> "$GITHUB_STEP_SUMMARY"');
      expect(abSteps[upload]?.if).toBe('always()');
    });

    it('keeps one sticky comment: finds its marker and updates it instead of adding one per push', () => {
      const script = String(abSteps.find((s) => s.uses?.startsWith('actions/github-script@'))?.with?.script);
      expect(script).toContain('<!-- lockbench-ab -->');
      expect(script).toContain('updateComment');
      expect(script).toMatch(/if \(mine\)[\s\S]*updateComment[\s\S]*else[\s\S]*createComment/);
    });
  });
});
