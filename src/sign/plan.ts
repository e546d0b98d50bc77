import type { PlanLine, ReleaseContext } from '../kind.js';
import type { SignConfig } from './config.js';
import { PROVENANCE_FILE, SIGNATURE_FILE } from './files.js';
import { describeSource } from './identity.js';
import { referrersTag } from './referrers.js';

/**
 * The signing part of the release plan: what will be signed, attested and described, and where each
 * bundle goes. Which images and charts get referrers is what the kinds' own lines push.
 */
export function planSigning(config: SignConfig, ctx: ReleaseContext): PlanLine[] {
  const dir = ctx.artifactsDir.slice(ctx.root.length + 1) || 'release-artifacts';
  const tsa = config.tsaUrl ? `, timestamps from ${config.tsaUrl}` : '';
  return [
    {
      action: 'sign',
      text: `identity: ${describeSource(ctx.env)} → certificate from ${config.fulcioUrl}, entries in Rekor ${config.rekorUrl}${tsa}`,
    },
    {
      action: 'sign',
      text: `describe each wheel → ${dir}/<name>-<version>.cdx.json, each pushed image → ${dir}/<image>-<tag>-image.cdx.json (CycloneDX 1.6)`,
    },
    {
      action: 'sign',
      text: `attest every artifact (files by sha256, images and charts by digest; SLSA provenance v1) → ${dir}/${PROVENANCE_FILE}`,
    },
    {
      action: 'sign',
      text: `sign ${dir}/SHA256SUMS (every file asset, the SBOMs too) → ${dir}/${SIGNATURE_FILE}; both bundles attached to the GitHub release`,
    },
    {
      action: 'sign',
      text: `each pushed image and OCI chart, by manifest digest: a signature (cosign's sign/v1), the provenance and (images) the SBOM as OCI referrers (the referrers API, else the tag ${referrersTag('sha256:<digest>')})`,
    },
  ];
}
