/** Process entry of `npm run compare`: the only place that touches the real stdout and exit code. */
import { runCompareCommand } from '../compare/cli.ts';

process.exitCode = await runCompareCommand(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
