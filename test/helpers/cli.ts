import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/index.js';
import { TEST_SECRET } from './app.js';

/** Runs one `helpr` command in-process, as a shell would, and returns its exit code and output. */
export async function runHelpr(argv: string[], env: Record<string, string>, input?: string) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  if (input !== undefined) stdin.end(input);
  else stdin.end();
  const code = await runCli(argv, { stdin, stdout, stderr, env: { SECRET_KEY: TEST_SECRET, ...env } });
  return { code, stdout: stdout.read()?.toString() ?? '', stderr: stderr.read()?.toString() ?? '' };
}
