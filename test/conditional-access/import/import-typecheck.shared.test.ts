/**
 * The TypeScript the importer prints for every policy of the shared third-party Graph exports
 * (shared/fixtures/conditional-access beside the repository; skipped in a plain clone) compiles
 * against the installed @pulumi/azuread and the CorporateDeviceAccess args.
 */
import * as fs from "node:fs";
import { importConditionalAccessFiles } from "../../../components/conditional-access/import";
import { conditionalAccessFixtures } from "../../../bench/fixtures";
import { holdsNamedLocations, locksOut, readExportItems } from "../../helpers/ca-fixtures";
import { SHARED_FIXTURES, describeShared } from "../../helpers/shared-fixtures";
import { TYPECHECK_TIMEOUT_MS, snippetModule, typecheck } from "../../helpers/typecheck";

describeShared("printed TypeScript for the shared Graph exports", () => {
  it(
    "compiles against @pulumi/azuread and CorporateDeviceAccess",
    () => {
      const fixtures = SHARED_FIXTURES ? conditionalAccessFixtures("shared") : [];
      const { policies } = importConditionalAccessFiles(fixtures.map((f) => ({ name: f.name, content: fs.readFileSync(f.path) })));
      // Every policy of the exports but those the lockout rule refuses (63 less 18 caOptics demo policies).
      const items = fixtures.filter((f) => !holdsNamedLocations(f)).flatMap((f) => readExportItems(f));
      expect(policies.length).toBe(items.filter((p) => !locksOut(p)).length);
      expect(policies.length).toBeGreaterThanOrEqual(45);
      expect(typecheck(snippetModule(policies))).toEqual([]);
    },
    TYPECHECK_TIMEOUT_MS,
  );
});
