/**
 * Replay assertions share the coverage language: its sign-in terms (client app, user kind,
 * memberships, trusted location) read the log, and answer "open" (2) when the log cannot tell.
 */
import { SignIn, parseReplayAssertion } from "../../../components/conditional-access/replay";

function signIn(fields: Partial<SignIn>): SignIn {
  return Object.assign(new SignIn(), fields);
}

function selectorOf(text: string): (s: SignIn) => number {
  const a = parseReplayAssertion(text);
  if (a.kind !== "outcome") throw new Error(`not an outcome assertion: ${text}`);
  return a.selector;
}

describe("replay reads the sign-in terms of the coverage selectors from the log", () => {
  it.each([
    ["clientApp:other => block", { clientAppType: "other" }, 1],
    ["clientApp:other => block", { clientAppType: "browser" }, 0],
    ["clientApp:other => block", {}, 2],
    ["user:guest => block", { guestKind: "b2bCollaborationGuest" as const }, 1],
    ["user:guest => block", { guestKind: "member" as const }, 0],
    ["user:guest => block", {}, 2],
    ["member-of:G1 => block", { groups: new Set(["g1"]) }, 1],
    ["member-of:g1 => block", { groups: new Set(["g2"]), groupsComplete: true }, 0],
    ["member-of:g1 => block", { groups: new Set(["g2"]) }, 2],
    ["holds-role:r1 => block", { roles: new Set(["r1"]) }, 1],
    ["location:trusted => block", { trustedNetwork: true }, 1],
    ["location:untrusted => block", { trustedNetwork: true }, 0],
    ["location:trusted => block", {}, 2],
    ["location:aa000000-0000-4000-8000-000000000001 => block", { trustedNetwork: true }, 2],
    ["all => block for group:g1", {}, 1], // the user subject is the scope's (checked separately)
  ])("%s on %j: %d", (text, fields, expected) => {
    expect(selectorOf(text)(signIn(fields as Partial<SignIn>))).toBe(expected);
  });
});
