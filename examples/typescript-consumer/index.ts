import { guardrails } from "./program";

// Pulumi runs this file (Pulumi.yaml `main`); the exported values are the stack outputs.
export = guardrails();
