/** Globs of what `sign` adds to release-artifacts/, for @semantic-release/github's `assets`. */
export const SIGN_ASSET_GLOBS = ['release-artifacts/*.sigstore.json', 'release-artifacts/*.cdx.json'];
