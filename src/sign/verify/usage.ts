/** The usage line of `verify`, shared by the CLI's help (which must not load the Sigstore libraries). */
export const VERIFY_USAGE =
  'usage: semantic-release-stack verify <tag | image ref | file> [--trusted-root <file>] [--identity <SAN | /regex/>] [--issuer <url>] [--repository <owner/repo | url>]';
