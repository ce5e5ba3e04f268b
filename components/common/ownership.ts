/**
 * How a resource says it is managed by this package. One owner name; the carrier depends on what
 * the target system can hold:
 * - a description or free-text field (Intune profiles): the tag `[tenant-guardrails:<project>/<stack>/<name>/<part>]`,
 *   which a provider also uses to find its object again;
 * - key/value metadata (Azure DNS record sets): `{ managedBy: "tenant-guardrails", purpose }`.
 */

/** The owner every marker names. */
export const OWNER = "tenant-guardrails";

/** The marker tag embedded in a description: `[tenant-guardrails:<marker>]`. */
export function ownershipTag(marker: string): string {
  return `[${OWNER}:${marker}]`;
}

/** The metadata a resource with key/value metadata carries. */
export function ownershipMetadata(purpose: string): { managedBy: string; purpose: string } {
  return { managedBy: OWNER, purpose };
}
