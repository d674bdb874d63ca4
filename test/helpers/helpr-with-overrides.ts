/**
 * A Helpr process for fault tests that need what no configuration key allows, such as an invite
 * lease shorter than a send at its slowest (INVITE_LEASE_SECONDS starts at 45 s). Started like
 * src/main.ts, with the configuration from the environment, and the deps overrides as JSON in the
 * first argument: `node --import tsx test/helpers/helpr-with-overrides.ts '{"inviteLeaseMs":10000}'`.
 */
import { loadConfig } from '../../src/config.js';
import { createDeps, type DepsOverrides } from '../../src/deps.js';
import { startServer } from '../../src/server.js';

const overrides = JSON.parse(process.argv[2] ?? '{}') as Pick<DepsOverrides, 'inviteLeaseMs' | 'sendTimeoutMs'>;
const config = loadConfig();
await startServer(config, { deps: await createDeps(config, overrides) });
