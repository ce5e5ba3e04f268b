/**
 * Headless Chromium for the HTML report tests (Debian's `chromium`, driven by playwright-core).
 * Missing browser: the tests fail under CI=true and are skipped with a message otherwise.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { REPO_ROOT } from "../../helpers/cli";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = path.join(REPO_ROOT, ".ci/artifacts");
export const chromiumAvailable = fs.existsSync(CHROMIUM);

if (!chromiumAvailable) {
  const message = `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium, listed in .ci/system-packages)`;
  if (process.env.CI === "true") throw new Error(`HTML report tests need headless Chromium: ${message}`);
  process.stderr.write(`SKIPPED: HTML report browser tests: ${message}\n`);
}

/** `describe` that runs only when Chromium is there (and fails the suite above when CI needs it). */
export const describeInBrowser = chromiumAvailable ? describe : describe.skip;

export async function launch(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Where a screenshot goes; the path is printed so CI output shows it. */
export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
