import { DeviceFilter, DeviceFilterError } from "../../components/conditional-access";

/** The DeviceFilterError a rule is rejected with; fails the test when the rule parses. */
export function parseError(rule: string): DeviceFilterError {
  try {
    DeviceFilter.parse(rule);
  } catch (err) {
    if (err instanceof DeviceFilterError) return err;
    throw err;
  }
  throw new Error(`expected ${rule} to be rejected`);
}
