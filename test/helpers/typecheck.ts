/**
 * Type-check TypeScript the importer prints, as one in-memory file next to the tests (so its
 * relative imports of the components resolve); nothing is written to disk.
 */
import * as path from "node:path";
import ts from "typescript";
import type { ImportedPolicy } from "../../components/conditional-access/import";

const REPO = path.resolve(__dirname, "../..");
/** Loading the azuread and Pulumi declarations takes seconds, more on a busy machine. */
export const TYPECHECK_TIMEOUT_MS = 120_000;

export function typecheck(source: string): string[] {
  const file = path.join(REPO, "test/conditional-access/__import_snippets__.ts");
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const getSource = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === file ? source : read(f));
  host.fileExists = (f) => f === file || exists(f);
  host.getSourceFile = (f, lang, onError, create) => (f === file ? ts.createSourceFile(f, source, lang) : getSource(f, lang, onError, create));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : "";
    return where + ts.flattenDiagnosticMessageText(d.messageText, "\n");
  });
}

/** The importer's snippets for these policies as one module, with the imports they need. */
export function snippetModule(policies: ImportedPolicy[]): string {
  return [
    'import * as azuread from "@pulumi/azuread";',
    'import { CorporateDeviceAccess } from "../../components/conditional-access/component/corporate-device-access";',
    'import { ConditionalAccessPolicy } from "../../components/conditional-access/graph-policy/conditional-access-policy";',
    ...policies.map((p) => p.typescript),
  ].join("\n");
}
