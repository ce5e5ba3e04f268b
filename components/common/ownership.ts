/**
 * How a resource says it is managed by this package. One owner name; the carrier depends on what
 * the target system can hold:
 * - a description or free-text field (Intune profiles): the tag `[tenant-guardrails:<project>/<stack>/<name>/<part>]`,
 *   which a provider also uses to find its object again;
 * - key/value metadata (Azure DNS record sets): `{ managedBy: "tenant-guardrails", purpose }`;
 * - no field the provider can set (Conditional Access policies): the component's type token in the
 *   policy's URN, and the display-name shape the component writes (`displayNamePrefixOf` reads the
 *   prefix back). Renaming the policies to carry a tag would update every existing stack.
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
