/**
 * Formulas over variables: the decision structure the analysis splits cells of device space on.
 */
import type { DeviceProperty } from "../device-filter";
import type { StringAtom, StringRegion } from "./strings";

export type Formula =
  | { k: "const"; v: boolean }
  | { k: "leaf"; variable: number; truth: Uint8Array; trueCount: number }
  | { k: "and"; xs: Formula[] }
  | { k: "or"; xs: Formula[] }
  | { k: "not"; x: Formula };

export const TRUE: Formula = { k: "const", v: true };
export const FALSE: Formula = { k: "const", v: false };

export const VariableKind = {
  Registration: "registration",
  UnregisteredPlatform: "unregisteredPlatform",
  String: "string",
  Compliant: "compliant",
  Element: "element",
  /** A sign-in dimension beyond the device (user, client app, location): see dimensions.ts. */
  SignIn: "signIn",
} as const;
export type VariableKind = (typeof VariableKind)[keyof typeof VariableKind];

export interface Variable {
  kind: VariableKind;
  property?: DeviceProperty;
  /** Element variables: the element (rule spelling). */
  element?: string;
  /** Sign-in variables: which dimension (clientApp, userKind, userId, homeTenant, group, role, location, trusted). */
  dimension?: SignInDimension;
  /** Sign-in variables: the group, role or location id; for userId and homeTenant the named ids (regions; the last is "any other"). */
  id?: string;
  ids?: string[];
  atoms: StringAtom[];
  regions: StringRegion[];
  /** Region labels, for people. */
  labels: string[];
  signatureToRegion?: Map<string, number>;
  /** operatingSystem tested only through platform conditions: described by platform. */
  platformOnly?: boolean;
  /** operatingSystem with named platforms: the platform of each region (a named one, or "other"). */
  platforms?: string[];
}

/** The sign-in dimensions a variable can be. */
export type SignInDimension = "clientApp" | "userKind" | "userId" | "homeTenant" | "group" | "role" | "location" | "trusted";

/** A product of region sets; `undefined` = every region of that variable. */
export type Cell = (number[] | undefined)[];

export const COMPLIANT_LABELS = ["True", "False", "none"];

export function leafTruth(f: Formula & { k: "leaf" }, allowed: number[] | undefined, regionCount: number): boolean | undefined {
  if (allowed === undefined) return f.trueCount === regionCount ? true : f.trueCount === 0 ? false : undefined;
  let trueCount = 0;
  for (let i = 0; i < allowed.length; i++) trueCount += f.truth[allowed[i]];
  if (trueCount === allowed.length) return true;
  if (trueCount === 0) return false;
  return undefined;
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The formula with every leaf decided by the cell replaced by a constant, simplified. */
export function restrict(f: Formula, cell: Cell, variables: Variable[]): Formula {
  switch (f.k) {
    case "const":
      return f;
    case "leaf": {
      const t = leafTruth(f, cell[f.variable], variables[f.variable].regions.length);
      return t === undefined ? f : t ? TRUE : FALSE;
    }
    case "not": {
      const x = restrict(f.x, cell, variables);
      return x.k === "const" ? (x.v ? FALSE : TRUE) : { k: "not", x };
    }
    case "and":
    case "or": {
      const absorbing = f.k === "or";
      const xs: Formula[] = [];
      for (const sub of f.xs) {
        const r = restrict(sub, cell, variables);
        if (r.k === "const") {
          if (r.v === absorbing) return r;
          continue;
        }
        xs.push(r);
      }
      if (xs.length === 0) return absorbing ? FALSE : TRUE;
      if (xs.length === 1) return xs[0];
      return { k: f.k, xs };
    }
  }
}

export function leavesOn(f: Formula, variable: number, out: (Formula & { k: "leaf" })[]): void {
  if (f.k === "leaf") {
    if (f.variable === variable && !out.includes(f)) out.push(f);
  } else if (f.k === "not") leavesOn(f.x, variable, out);
  else if (f.k === "and" || f.k === "or") for (const x of f.xs) leavesOn(x, variable, out);
}

export function firstVariable(f: Formula): number {
  if (f.k === "leaf") return f.variable;
  if (f.k === "not") return firstVariable(f.x);
  if (f.k === "and" || f.k === "or") return firstVariable(f.xs[0]);
  return -1;
}

/** Split a cell into the sub-cells where `f` is true and where it is false (Shannon expansion). */
export function splitCell(cell: Cell, f: Formula, variables: Variable[], onTrue: Cell[], onFalse: Cell[]): void {
  const g = restrict(f, cell, variables);
  if (g.k === "const") {
    (g.v ? onTrue : onFalse).push(cell);
    return;
  }
  const v = firstVariable(g);
  const leaves: (Formula & { k: "leaf" })[] = [];
  leavesOn(g, v, leaves);
  const groups = new Map<string, number[]>();
  for (const r of cell[v] ?? range(variables[v].regions.length)) {
    const key = leaves.map((l) => l.truth[r]).join("");
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  for (const regions of groups.values()) {
    const sub = cell.slice();
    sub[v] = regions;
    splitCell(sub, g, variables, onTrue, onFalse);
  }
}
