/**
 * A Helpr process for fault tests that need what no configuration key allows, such as an invite
 * lease shorter than a send at its slowest (INVITE_LEASE_SECONDS starts at 45 s). Started like
 * src/main.ts, with the configuration from the environment, and the deps overrides as JSON in the
 * first argument: `node --import tsx test/helpers/helpr-with-overrides.ts '{"inviteLeaseMs":10000}'`.
 *
 * `clockStepMs`: Helpr's clock runs with the wall clock, and each SIGUSR2 moves it on by that much,
 * then prints `clock moved on <total> ms`. A test skips a retry's backoff or waits out a dead
 * process's lease this way, as the in-process tests do with fixedClock().advance, instead of
 * sleeping for half a minute (the worker's own 5 s timer still runs on real time).
 */
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createDeps, type DepsOverrides } from '../../src/deps.js';
import { startServer } from '../../src/server.js';

type Options = Pick<DepsOverrides, 'inviteLeaseMs' | 'sendTimeoutMs'> & { clockStepMs?: number };

const { clockStepMs, ...overrides } = JSON.parse(process.argv[2] ?? '{}') as Options;
let clock: Clock | undefined;
if (clockStepMs) {
  let movedMs = 0;
  clock = { now: () => new Date(Date.now() + movedMs) };
  process.on('SIGUSR2', () => {
    movedMs += clockStepMs;
    process.stdout.write(`clock moved on ${movedMs} ms\n`);
  });
}
const config = loadConfig();
await startServer(config, { deps: await createDeps(config, { ...overrides, clock }) });
