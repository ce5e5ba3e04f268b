/**
 * The Qualys license code and public key never reach a user through an error, whatever form the
 * service echoes them in. ProvisioningParameters is JSON inside JSON, so the request body holds the
 * secrets escaped twice; a fake ARM on 127.0.0.1 refuses the solution and echoes the request in
 * each encoding, with secrets built to need that encoding.
 */
import fc from "fast-check";
import { makeQualysByolProvider, type QualysByolSolutionState } from "../../components/defender/byol-provider";
import { scrubSecrets } from "../../components/secret-scrub";
import { FakeArm, byolTestState } from "./fake-arm";
import { base64Encodings, reserialisedBody, revealsSecret, textEncodings, type TextEncoding } from "./secret-forms";

const PUBLIC_KEY = "PUBKEY/with\"quote\\and-slash-0d1e2f";

const provider = makeQualysByolProvider({ timeoutMs: 2000, retryDelayMs: 5, maxRetryDelayMs: 20, maxRetries: 1, pollIntervalMs: 5, maxPolls: 2 });

let arm: FakeArm;
beforeEach(async () => {
  arm = new FakeArm();
  await arm.start();
  arm.rejectSolutionPuts = true;
});
afterEach(async () => {
  await arm.stop();
});

function inputs(licenseCode: string, publicKey = PUBLIC_KEY): QualysByolSolutionState {
  return byolTestState(arm.url, { licenseCode, publicKey });
}

/** Create against the fake; the error message the user would read, and what the fake echoed. */
async function failedCreate(licenseCode: string, publicKey = PUBLIC_KEY): Promise<{ message: string; echoed: string }> {
  let echoed = "";
  const echo = arm.errorEcho;
  if (echo)
    arm.errorEcho = (t) => {
      echoed = echo(t);
      return echoed;
    };
  const err = await provider.create(inputs(licenseCode, publicKey)).catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  return { message: (err as Error).message, echoed };
}

/** Text without whitespace and control characters, as a one-line excerpt may re-space it. */
const oneLine = (t: string) => t.replace(/[\s\u0000-\u001f\u007f]+/g, "");

const licenseOf = (t: string) => (JSON.parse((JSON.parse(t) as { Properties: { ProvisioningParameters: string } }).Properties.ProvisioningParameters) as { licenseCode: string }).licenseCode;
const paramsOf = (t: string) => (JSON.parse(t) as { Properties: { ProvisioningParameters: string } }).Properties.ProvisioningParameters;

/** Secrets, each with the characters that need one of the encodings. */
const SECRETS: [string, string][] = [
  ["a double quote", 'QLIC"quoted"code-1234'],
  ["backslashes", "QLIC\\back\\slash-5678"],
  ["a newline", "QLIC\nnew\r\nline-9abc"],
  ["slashes (written \\/)", "QLIC/with/slashes/def0"],
  ["non-ASCII and an emoji", "QLICé€😀unicode-3456"],
  ["URL-special characters", "Q LIC+code%20&=?#x7"],
  ["HTML-special characters", "Q<LIC>&'code\"77ab"],
  ["control characters", "QLIC\u0001ctl\u001fcode88"],
  ["only letters and digits", "QUALYSPLAIN0123456789"],
];

/** What the fake echoes: each a form of the request body text or of the secret in it. */
const ECHOES: [string, (t: string) => string, { asText?: boolean }?][] = [
  ["the license code in the service's own words", (t) => `license code ${licenseOf(t)} is not valid`],
  ["ProvisioningParameters (escaped once)", paramsOf],
  ["the body as sent (escaped twice)", (t) => t],
  ["the body quoted once more (escaped three times)", (t) => JSON.stringify(t)],
  ["the body re-serialised with / as \\/", (t) => reserialisedBody(t, textEncodings.jsonSlash)],
  ["the body re-serialised by System.Text.Json (\\u0022, \\u002B, non-ASCII)", (t) => reserialisedBody(t, textEncodings.jsonDotnet)],
  ["the body re-serialised with every character as \\uXXXX", (t) => reserialisedBody(t, textEncodings.jsonAllUnicode)],
  ["the body URL-encoded", (t) => encodeURIComponent(t)],
  ["the license code form-encoded", (t) => `licenseCode=${textEncodings.form(licenseOf(t))}`],
  ["the license code URL-encoded twice", (t) => encodeURIComponent(encodeURIComponent(licenseOf(t)))],
  ["the body in base64", (t) => `body(base64)=${base64Encodings.base64(t)}`],
  ["ProvisioningParameters in base64url", (t) => base64Encodings.base64url(paramsOf(t))],
  ["the license code in base64", (t) => base64Encodings.base64(licenseOf(t))],
  ["the body in an HTML error page (not JSON)", (t) => `<html><pre>${textEncodings.html(t)}</pre></html>`, { asText: true }],
  ["the body in a plain-text error (not JSON)", (t) => t, { asText: true }],
  ["the license code upper-cased", (t) => licenseOf(t).toUpperCase()],
];

describe("an error that echoes the request never shows the license code or the public key", () => {
  const cases = SECRETS.flatMap(([what, secret]) => ECHOES.map(([how, echo, opts]) => [what, how, secret, echo, opts ?? {}] as const));

  it.each(cases)("a license code with %s, echoed as %s", async (_what, _how, secret, echo, opts) => {
    arm.errorEcho = echo;
    arm.errorBodyAsText = opts.asText === true;
    const { message, echoed } = await failedCreate(secret);
    // The echo did carry the secrets (the check below is not vacuous) ...
    expect(revealsSecret(echoed, secret)).toBe(true);
    // ... and the user reads the failure with both masked.
    expect(message).toMatch(/^Qualys BYOL solution qualys-byol: create failed: PUT http:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\/securitySolutions\/qualys-byol\?api-version=2015-06-01-preview failed with HTTP 400/);
    // The REST client shows a bounded one-line excerpt of the answer: the user sees the mask where
    // the secret was, or the echo is cut ("…") before it reaches the secret.
    if (!message.includes("[secret]")) expect(message).toMatch(/…/);
    expect(revealsSecret(message, secret)).toBe(false);
    expect(revealsSecret(message, PUBLIC_KEY)).toBe(false);
    // Nor re-spaced: the excerpt turns line breaks and control characters into spaces.
    expect(revealsSecret(oneLine(message), oneLine(secret))).toBe(false);
  });

  it.each(SECRETS)("a truncated echo that stops inside a license code with %s shows no long prefix of it", async (_what, secret) => {
    const kept = secret.slice(0, Math.ceil(secret.length * 0.75));
    const twice = (s: string) => JSON.stringify(JSON.stringify(s).slice(1, -1)).slice(1, -1);
    arm.errorEcho = (t) => `${t.slice(0, t.indexOf(twice(secret)) + twice(kept).length)}...`;
    const { message, echoed } = await failedCreate(secret);
    const prefix = Math.max(8, Math.ceil(secret.length / 2));
    expect(revealsSecret(echoed, secret, prefix)).toBe(true);
    expect(revealsSecret(message, secret, prefix)).toBe(false);
  });

  it("an update masks the old license code too", async () => {
    arm.rejectSolutionPuts = true;
    arm.errorEcho = () => "previous license was OLD-LICENSE-\"77\"/x and the new one NEW-LICENSE-/88";
    const olds = inputs("OLD-LICENSE-\"77\"/x");
    const err = await provider.update!("id", olds, inputs("NEW-LICENSE-/88")).catch((e: Error) => e);
    expect((err as Error).message).toContain("previous license was [secret] and the new one [secret]");
  });
});

// ---- properties ----

/** Hostile characters: every one needs some escape in some encoding. */
const HOSTILE = ['"', "\\", "/", "\n", "\r", "\t", "\u0000", "\u001f", "\u2028", "%", "+", " ", "&", "<", ">", "'", "=", "#", "?", "é", "€", "😀", "u", "0", "a", "F", "x"];
const secretArb = fc
  .tuple(fc.string({ unit: fc.constantFrom(...HOSTILE), minLength: 2, maxLength: 12 }), fc.string({ unit: "grapheme-ascii", minLength: 2, maxLength: 12 }))
  .chain(([h, a]) => {
    const all = [...h, ...a];
    return fc.shuffledSubarray(all, { minLength: all.length }).map((cs) => cs.join(""));
  })
  .filter((s) => s.length >= 6 && s.trim() === s);

const textEncodingArb = fc.constantFrom(...(Object.keys(textEncodings) as TextEncoding[]));
/** How the secret is echoed: [0-2 canonical JSON escapes, then optionally base64 of that with some bytes before it] or neither, then text encodings; at most 4 text layers. */
const echoArb = fc.oneof(
  fc.record({ base64: fc.constant(undefined), layers: fc.array(textEncodingArb, { minLength: 1, maxLength: 4 }) }),
  fc.record({
    base64: fc.record({ jsonLevels: fc.integer({ min: 0, max: 2 }), before: fc.string({ maxLength: 5 }), alphabet: fc.constantFrom("base64" as const, "base64url" as const) }),
    layers: fc.array(textEncodingArb, { maxLength: 3 }),
  }),
);
type Echo = { base64?: { jsonLevels: number; before: string; alphabet: "base64" | "base64url" }; layers: TextEncoding[] };

function encode(secret: string, echo: Echo): string {
  let t = secret;
  if (echo.base64) {
    for (let i = 0; i < echo.base64.jsonLevels; i++) t = textEncodings.json(t);
    t = base64Encodings[echo.base64.alphabet](`${echo.base64.before}${t}"}`);
  }
  for (const layer of echo.layers) t = textEncodings[layer](t);
  return t;
}

describe("property: random secrets with hostile characters, echoed in random encodings, never appear", () => {
  it("scrubSecrets masks every form (pure)", () => {
    fc.assert(
      fc.property(secretArb, echoArb, fc.string({ maxLength: 20 }), (secret, echo, around) => {
        const message = `failed: ${around} ${encode(secret, echo as Echo)} ${around} (request id 42)`;
        // The echo must be one the independent decoder reads back (a prefix such as "\\" can join
        // the first escaped character into another escape): a case it cannot read proves nothing.
        fc.pre(revealsSecret(message, secret, secret.length, 7));
        const scrubbed = scrubSecrets(message, [secret]);
        expect(scrubbed).toContain("[secret]");
        expect(revealsSecret(scrubbed, secret, secret.length, 7)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("through the provider and the fake ARM", async () => {
    await fc.assert(
      fc.asyncProperty(secretArb, echoArb, async (secret, echo) => {
        arm.errorEcho = (t) => encode(licenseOf(t), echo as Echo);
        arm.errorBodyAsText = false;
        const { message } = await failedCreate(secret);
        expect(revealsSecret(message, secret, secret.length, 7)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});
