// The only place the stack's code takes yaml from; `npm run build` replaces the compiled file with a
// single-file bundle of the package (see scripts/build.mjs). The names are listed because yaml's
// Node build is CommonJS, whose exports a bundle cannot re-export with `export *`.
export {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parse,
  parseAllDocuments,
  parseDocument,
  Scalar,
  visit,
} from 'yaml';
export type { Document } from 'yaml';
