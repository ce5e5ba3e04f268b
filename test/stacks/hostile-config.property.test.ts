/**
 * Hostile stack config (fast-check): whatever a stack file holds under the four systems' keys
 * (random nesting, nulls, wrong types, unicode, huge strings, misspelt keys), the config check
 * returns problems for the user to read and never throws; every problem names its field and a fix.
 */
import fc from "fast-check";
import { checkStackConfig } from "../../stacks/config";

const RUNS = { seed: 20261127, numRuns: 200 };
const SYSTEM_KEYS = ["conditionalAccess", "intune", "email", "defender", "qualysLicenseCode", "qualysPublicKey", "emailCertificatePassword"];
const NEAR_KEYS = ["state", "emergencyAccess", "emergencyAcess", "groupIds", "assignment", "includeGroupIds", "domains", "domain", "dmarc", "provider", "machines", "qualysByol", "bitLocker", "onRemove", "allowedPlatfroms", "__proto__", "constructor"];

const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom("enabled", "reportOnly", "qualysByol", "builtIn", "windows", "Office365", "disable", "0b1c6a52-6f0a-4d2e-9a56-7a3f7c1e0b01", "x".repeat(5000)),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("array"), tie("object")),
  array: fc.array(tie("node"), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...NEAR_KEYS), fc.string({ maxLength: 12 })), tie("node"), { maxKeys: 5 }),
})).node;

describe("the stack config check on hostile input", () => {
  it("returns problems, never throws, and every problem has a field and a fix", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...SYSTEM_KEYS), value, { maxKeys: 5 }), (systems) => {
        const values = Object.fromEntries(Object.entries(systems).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        const { problems } = checkStackConfig({ stack: "fuzz", values, secretKeys: ["qualysLicenseCode", "qualysPublicKey", "emailCertificatePassword"] });
        for (const p of problems) {
          expect(typeof p.field).toBe("string");
          expect(p.field.length).toBeGreaterThan(0);
          expect(typeof p.fix).toBe("string");
        }
      }),
      RUNS,
    );
  });
});
