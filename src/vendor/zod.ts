// The only place the stack's code takes zod from; `npm run build` replaces the compiled file with a
// single-file bundle of the package (see scripts/build.mjs for why).
export { z } from 'zod';
