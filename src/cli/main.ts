import { loadDotEnv } from '../config.js';
import { runCli } from './index.js';

try {
  loadDotEnv();
  process.exitCode = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
} catch (error) {
  console.error(`helpr: ${(error as Error).message}`);
  process.exitCode = 1;
}
