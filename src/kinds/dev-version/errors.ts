import { README, s, errorFactory, type ErrorTable } from '../../errors.js';

/** The development version kind's error codes (dev-version); merged with every other kind's into the one table (kinds/index.ts). */
export const DEV_VERSION_ERRORS = {
  EDEVBUMP: (p) => ({
    message: `Could not commit or push the next development version ${s(p.version)}: ${s(p.reason)}.`,
    details: `The release itself is complete. Write ${s(p.version)} into the version files and push it by hand, or re-run the \`success\` step. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EDEVBUMPCONFLICT: (p) => ({
    message: `The next development version commit conflicts with new commits on \`${s(p.branch)}\`.`,
    details: `Another commit changed the same version files after ${s(p.attempts)} attempt(s). semantic-release-stack never force-pushes. Set the development version ${s(p.version)} by hand. See [failure and recovery](${README}failure-and-recovery).`,
  }),
  EBRANCHPROTECTED: (p) => ({
    message: `GitHub would refuse the development version commit on \`${s(p.branch)}\` of ${s(p.repository)}: ${s(p.reasons)}.`,
    details: `The devVersion kind pushes one commit straight to \`${s(p.branch)}\` after the release is published, so this was checked before anything was built or released. Either let the release token bypass the protection (a GitHub App or an admin token on the ruleset's bypass list with mode "always", or allowed to push by the branch protection rule), or set \`"devVersion": false\` and bump the development version through a pull request. See [failure and recovery](${README}failure-and-recovery).`,
  }),
} satisfies ErrorTable;

/** Builds this kind's coded errors, and the shared ones (EINVALIDOPTION, ECOMMANDFAILED…). */
export const stackError = errorFactory(DEV_VERSION_ERRORS);
