import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseCommandLine } from '../../bench/cli-args.ts';
import { FLAG_OF } from '../../bench/config.ts';
import { CHECK_OPTIONS } from '../../scripts/check.ts';
import { MERGE_OPTIONS } from '../../scripts/merge.ts';
import { parseServerArgs, SERVER_FLAGS } from '../../servers/options.ts';

/** deploy/k8s/: every manifest valid against the Kubernetes schemas, every flag one its program has. */
const DIR = 'deploy/k8s';

type Doc = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };
type Container = { name: string; command?: string[]; args?: string[] };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'v1/Service': Service,
  'v1/Secret': Secret,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
};

const docs: { file: string; doc: Doc }[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => ({ file, doc: d.toJS() as Doc })),
  );

function containersOf(doc: Doc): Container[] {
  const spec = doc.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

const BENCH_FLAGS = [...Object.values(FLAG_OF), '--config', '--dry-run', '--list', '--help'];
const longFlags = (options: Record<string, unknown>) => Object.keys(options).map((k) => `--${k}`);

/** The program a container runs, and the flags that program accepts. */
const PROGRAMS: Record<string, readonly string[]> = {
  'bench/main.ts': BENCH_FLAGS,
  'scripts/seed.ts': BENCH_FLAGS,
  'servers/main.ts': [...Object.values(SERVER_FLAGS), '--help'],
  'scripts/merge.ts': longFlags(MERGE_OPTIONS),
  'scripts/check.ts': longFlags(CHECK_OPTIONS),
};

/** Flags a container passes, by program: its args and the ones written in a `sh -c` script. */
function flagsByProgram(c: Container): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (program: string, flags: string[]) => out.set(program, [...(out.get(program) ?? []), ...flags]);
  const command = c.command ?? [];
  const args = c.args ?? [];
  const argFlags = args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0] as string);
  if (command[0] === 'sh') {
    // Each `node --import tsx <program> ...` in the script, up to the next `&&` or `;`.
    const script = command[2] ?? '';
    for (const m of script.matchAll(/node --import tsx (\S+)([^;&]*)/g)) {
      add(
        m[1] as string,
        [...(m[2] ?? '').matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((f) => f[0]),
      );
      if ((m[2] ?? '').includes('"$@"')) add(m[1] as string, argFlags);
    }
  } else {
    const program = command.find((p) => p in PROGRAMS);
    if (program) add(program, argFlags);
  }
  return out;
}

/** A container's args with Kubernetes' $(VAR) expansion and segment 1's shell arithmetic done. */
function resolvedArgs(c: Container): string[] {
  return (c.args ?? []).map((a) => a.replace('$(START_AT)', String(Date.now() + 60_000)));
}

describe('deploy/k8s manifests', () => {
  it('are all there: servers behind a Service, an Indexed Job of segments, a merge-and-check Job, the DB from a Secret', () => {
    const kinds = docs.map((d) => `${d.doc.kind}/${d.doc.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment/lockbench-servers',
        'Service/lockbench-servers',
        'Service/lockbench-servers-pods',
        'Job/lockbench-load',
        'Job/lockbench-merge-check',
        'Job/lockbench-seed',
        'Secret/lockbench-db',
      ]),
    );
    const load = docs.find((d) => d.doc.metadata.name === 'lockbench-load')?.doc.spec as {
      completionMode: string;
    };
    expect(load.completionMode).toBe('Indexed');
    const text = readdirSync(DIR)
      .map((f) => readFileSync(join(DIR, f), 'utf8'))
      .join('\n');
    // The database URL only ever comes from the Secret.
    expect(text).not.toMatch(/(postgres|mysql):\/\/(?!USER:PASSWORD@HOST)/);
    expect(text.match(/secretKeyRef:\s+name: lockbench-db/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it.each(docs.map((d) => [`${d.file}: ${d.doc.kind}/${d.doc.metadata.name}`, d.doc] as const))(
    'validates against the Kubernetes schema: %s',
    (_name, doc) => {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `no schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      expect(() => new (Model as NonNullable<typeof Model>)(doc as never).validate()).not.toThrow();
    },
  );

  it('the validation would catch a wrong type', () => {
    const servers = docs.find((d) => d.doc.kind === 'Deployment')?.doc as Doc;
    const broken = structuredClone(servers) as Doc & { spec: { replicas: unknown } };
    broken.spec.replicas = 'two';
    expect(() => new Deployment(broken as never).validate()).toThrow(/replicas/);
  });

  it('uses only flags that exist in the program each container runs', () => {
    let checked = 0;
    for (const { doc } of docs) {
      for (const c of containersOf(doc)) {
        const byProgram = flagsByProgram(c);
        expect(byProgram.size, `${doc.metadata.name}/${c.name} runs no known program`).toBeGreaterThan(0);
        for (const [program, flags] of byProgram) {
          const known = PROGRAMS[program];
          expect(known, `${program} is not a lockbench program`).toBeDefined();
          for (const flag of flags) {
            expect(known, `${doc.metadata.name}/${c.name}: ${program} has no ${flag}`).toContain(flag);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('passes values the programs accept, and the steps agree on the cell and the segments', () => {
    const container = (name: string) =>
      containersOf(docs.find((d) => d.doc.metadata.name === name)?.doc as Doc)[0] as Container;
    const load = container('lockbench-load');
    const script = load.command?.[2] ?? '';
    const n = Number(/--segment "\$k\/(\d+)"/.exec(script)?.[1]);
    const job = docs.find((d) => d.doc.metadata.name === 'lockbench-load')?.doc.spec as {
      completions: number;
      parallelism: number;
    };
    expect([job.completions, job.parallelism]).toEqual([n, n]);
    for (let k = 1; k <= n; k++) {
      const cmd = parseCommandLine(
        [...resolvedArgs(load), '--segment', `${k}/${n}`, '--out', `/results/seg${k}`],
        {},
      );
      expect(cmd.kind).toBe('run');
    }
    const merge = container('lockbench-merge-check').command?.[2] ?? '';
    expect([...merge.matchAll(/\/results\/seg(\d+)\/latest/g)].map((m) => Number(m[1]))).toEqual(
      Array.from({ length: n }, (_, i) => i + 1),
    );
    // Seed and load take the same cell options, so the tables fit the load.
    const cellOf = (c: Container) =>
      (c.args ?? []).filter((a) => !/^--(server-url|stats-url|start-at)=/.test(a));
    expect(cellOf(container('lockbench-seed'))).toEqual(cellOf(load));
    const run = parseCommandLine(resolvedArgs(load), {});
    if (run.kind !== 'run') throw new Error('expected a run');
    const server = parseServerArgs(container('lockbench-servers').args ?? [], {
      LOCKBENCH_DB_URL: 'postgres://u@h/db',
    });
    if (server.kind !== 'run') throw new Error('expected a run');
    expect([server.options.strategy, server.options.workload]).toEqual([
      run.config.strategy[0],
      run.config.workload[0],
    ]);
    expect(server.options.host).toBe('0.0.0.0');
  });
});
