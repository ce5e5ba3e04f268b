/**
 * The retired device-state condition (`includeDevices`/`excludeDevices`, and the older
 * `includeDeviceStates`/`excludeDeviceStates` that Graph now rejects with error 1088) expressed as
 * a device filter with the same device targeting. No Pulumi here.
 *
 * Legacy semantics: the policy applies to a device when it is in an included state and in no
 * excluded state, where "All" is every device (unregistered ones too), "Compliant" a registered
 * device Intune marks compliant, and "DomainJoined" a hybrid-joined device (trustType ServerAD).
 * Filters only see device attributes; an unregistered device has none, so a positive comparison
 * (-eq) is false for it and a negative one (-ne) true. The mapping below keeps unregistered devices
 * on the same side as the legacy condition did.
 */
import type { PlainDeviceFilter } from "../policy-shape";

/** The values of the retired `deviceStates` condition of Conditional Access. */
export const LegacyDeviceState = {
  All: "All",
  Compliant: "Compliant",
  DomainJoined: "DomainJoined",
} as const;
/** One of the {@link LegacyDeviceState} values. */
export type LegacyDeviceState = (typeof LegacyDeviceState)[keyof typeof LegacyDeviceState];

/** The filter term selecting devices in a state, and its negation (true for unregistered devices). */
const TERMS: Record<"Compliant" | "DomainJoined", { positive: string; negative: string }> = {
  Compliant: { positive: "device.isCompliant -eq True", negative: "device.isCompliant -ne True" },
  DomainJoined: { positive: 'device.trustType -eq "ServerAD"', negative: 'device.trustType -ne "ServerAD"' },
};

/** A legacy `deviceStates` condition converted to the equivalent device filter. */
export interface LegacyConversion {
  /** The equivalent filter; undefined when the condition selects every device (no filter needed). */
  filter: PlainDeviceFilter | undefined;
  /** A sentence for the import notes: what was converted to what, and why it is equivalent. */
  explanation: string;
}

/** A legacy `deviceStates` value that cannot be converted, and what to do instead. */
export interface LegacyConversionProblem {
  value: unknown;
  problem: string;
  fix: string;
}

/** Canonical spelling of a legacy device state, case-insensitively; undefined when unknown. */
export function canonicalDeviceState(value: string): LegacyDeviceState | undefined {
  const key = value.trim().toLowerCase();
  return Object.values(LegacyDeviceState).find((s) => s.toLowerCase() === key);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * Convert included/excluded legacy device states to a device filter. Throws nothing: unknown
 * states come back as problems.
 */
export function legacyDeviceStatesToFilter(include: string[], exclude: string[]): { conversion?: LegacyConversion; problems: LegacyConversionProblem[] } {
  const problems: LegacyConversionProblem[] = [];
  const read = (values: string[], side: string): LegacyDeviceState[] =>
    unique(
      values.flatMap((v) => {
        const state = canonicalDeviceState(String(v));
        if (state) return [state];
        problems.push({
          value: v,
          problem: `unknown legacy device state in ${side}`,
          fix: 'legacy device states are "All", "Compliant" and "DomainJoined"; write a device filter by hand for anything else',
        });
        return [];
      }),
    );
  const included = read(include, "include");
  const excluded = read(exclude, "exclude");
  if (excluded.includes(LegacyDeviceState.All)) {
    problems.push({ value: exclude, problem: 'excluding "All" device states leaves the policy no device', fix: "remove the policy or its device condition" });
  }
  if (problems.length > 0) return { problems };

  const excludedTerms = excluded.filter((s): s is "Compliant" | "DomainJoined" => s !== LegacyDeviceState.All).map((s) => TERMS[s]);
  const legacy = `include [${included.join(", ") || "none"}], exclude [${excluded.join(", ") || "none"}]`;

  // An exclusion with no inclusion only makes sense as "All except ..." (how the portal shows it).
  if (included.length === 0 || included.includes(LegacyDeviceState.All)) {
    if (excludedTerms.length === 0) {
      return { problems, conversion: { filter: undefined, explanation: `legacy device condition (${legacy}) selects every device, so no device filter is needed` } };
    }
    return {
      problems,
      conversion: {
        filter: { mode: "exclude", rule: excludedTerms.map((t) => t.positive).join(" -or ") },
        explanation:
          `legacy device condition (${legacy}) converted to an exclude filter with positive operators: ` +
          "an unregistered device matches no -eq term, so it stays in scope as it was under \"All\"",
      },
    };
  }

  // Only some registered states are included: an include filter; unregistered devices match no
  // -eq term, so they stay out of scope as they were.
  const includedTerms = included.map((s) => TERMS[s as "Compliant" | "DomainJoined"].positive);
  const includePart = includedTerms.length > 1 && excludedTerms.length > 0 ? `(${includedTerms.join(" -or ")})` : includedTerms.join(" -or ");
  const rule = [includePart, ...excludedTerms.map((t) => t.negative)].join(" -and ");
  return {
    problems,
    conversion: {
      filter: { mode: "include", rule },
      explanation:
        `legacy device condition (${legacy}) converted to an include filter: ` +
        "an unregistered device matches no -eq term, so it stays out of scope as it was",
    },
  };
}
