// The only place the stack's code takes toml-eslint-parser from (type-only imports aside);
// `npm run build` replaces the compiled file with a single-file bundle (see scripts/build.mjs).
export { getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
export type { AST } from 'toml-eslint-parser';
