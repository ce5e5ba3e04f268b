/**
 * The stack program: composes the guardrail components from this stack's config
 * (stacks/Pulumi.<stack>.yaml). Each system reads its own config object; see the README.
 * A new environment needs only a new Pulumi.<stack>.yaml: nothing here names a stack.
 */
import { readStackConfig } from "./config";
import { declareConditionalAccess } from "./conditional-access";
import { declareEmail } from "./email";
import { declareDefender } from "./defender";
import { declareIntune } from "./intune";

// The whole config is checked first: one error lists every problem of every system, and nothing
// is declared while any remains.
readStackConfig();

export const conditionalAccess = declareConditionalAccess();
export const defender = declareDefender();
export const intune = declareIntune();
export const email = declareEmail();
