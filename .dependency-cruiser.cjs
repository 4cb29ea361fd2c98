/**
 * The import rules of the project, checked by `npm run lint` (dependency-cruiser):
 * - no import cycles;
 * - strategies/, workloads/ and servers/ (what runs in the strategy server) never reach into
 *   bench/ (the harness that drives them), and no part of the product (bench/, report/, compare/,
 *   ...) imports scripts/ (command-line entry points);
 * - core/ (what every part shares: connecting, the error catalogue, the result schema, names)
 *   imports none of the parts;
 * - no module that nothing imports, outside the entry points and tests.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'server-side-not-into-bench',
      comment:
        'strategies/, workloads/ and servers/ run in the strategy server: they use core/, never bench/',
      severity: 'error',
      from: { path: '^(strategies|workloads|servers|examples)/' },
      to: { path: '^bench/' },
    },
    {
      name: 'bench-not-into-scripts',
      comment: 'scripts/ are command-line entry points over the product; the product never imports them',
      severity: 'error',
      from: { path: '^(bench|report|compare|strategies|servers|workloads|core)/' },
      to: { path: '^scripts/' },
    },
    {
      name: 'core-imports-no-part',
      comment: 'core/ is shared by every part, so it depends on none of them',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(bench|report|compare|strategies|servers|workloads|scripts)/' },
    },
    {
      name: 'no-orphans',
      comment: 'a module nothing imports is dead, unless it is an entry point',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: [
          '(^|/)[.][^/]+[.](c|m)?js$',
          '[.]d[.]ts$',
          '^test/',
          '^examples/',
          '^(bench/main|servers/main|scripts/[^/]+|vitest[.]config)[.]ts$',
        ],
      },
      to: {},
    },
    {
      name: 'no-dead-modules',
      comment: 'a product module that no entry point reaches is dead code, even when a test imports it',
      severity: 'error',
      from: { path: '^(bench/main|servers/main|scripts/[^/]+)[.]ts$' },
      to: {
        path: '^(bench|report|compare|strategies|servers|workloads|core|scripts)/',
        pathNot: '^(bench/main|servers/main|scripts/[^/]+)[.]ts$|[.]d[.]ts$',
        reachable: false,
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|results|deploy)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
