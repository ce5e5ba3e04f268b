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

/**
 * Exported as a function: Pulumi calls it and takes what it returns as the stack outputs, and the
 * offline engine can run it again in the same process (tests plan several stacks).
 */
export = function program() {
  // The whole config is checked first: one error lists every problem of every system, and nothing
  // is declared while any remains. Each system then declares from that checked, typed config.
  const config = readStackConfig();
  const outputs = {
    conditionalAccess: declareConditionalAccess(config),
    defender: declareDefender(config),
    intune: declareIntune(config),
    email: declareEmail(config),
  };
  // A system the stack does not configure has no outputs (Pulumi would warn about undefined ones).
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
};
