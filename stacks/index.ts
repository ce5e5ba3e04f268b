/**
 * The stack program: composes the guardrail components from this stack's config
 * (stacks/Pulumi.<stack>.yaml). Each system reads its own config object; see the README.
 */
import { declareConditionalAccess } from "./conditional-access";
import { declareEmail } from "./email";
import { declareDefender } from "./defender";
import { declareIntune } from "./intune";

export const conditionalAccess = declareConditionalAccess();
export const defender = declareDefender();
export const intune = declareIntune();
export const email = declareEmail();
