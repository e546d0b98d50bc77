/**
 * The claims of a JWT, read without verifying it: whoever receives the token (PyPI's token exchange,
 * Fulcio) verifies it. Used to explain a refusal before it happens (wrong audience, expired) and to
 * name the identity in messages. Undefined when the text is not a JWT.
 */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
