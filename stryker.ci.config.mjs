// The mutation run CI makes (.ci/run, `npm run test:mutation:ci`): the invite pipeline's six core
// files, whose threshold is 85 % (scripts/mutation-check.mjs), incremental from the committed
// reports/stryker-incremental.json, so only mutants in changed code, or reached by changed tests,
// run again (a few minutes; a whole run of these files is about 25 on two cores).
// `npm run test:mutation` runs every module stryker.config.mjs lists.
import base from './stryker.config.mjs';

export const CORE_FILES = [
  'src/modules/invitations/identifier.ts',
  'src/modules/invitations/invitation-delivery.ts',
  'src/modules/invitations/invitations.service.ts',
  'src/modules/invitations/invitation-sender.ts',
  'src/modules/invitations/retry-policy.ts',
  'src/modules/invitations/retry-worker.ts',
];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default { ...base, mutate: CORE_FILES };
