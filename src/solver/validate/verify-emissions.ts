/**
 * `netpolc emit --verify`: every emission validated in turn, each result printed as it comes.
 * Ends z3's worker threads when done, so the command can exit.
 */
import type { Analysis } from "../../model/index.js";
import { shutdownZ3 } from "../z3.js";
import type { EmittedText } from "./dataplane.js";
import { formatValidation } from "./report.js";
import { type ValidateOptions, validateEmission } from "./validate.js";

/** Whether every emission is verified. */
export async function verifyEmissions(
  a: Analysis,
  emissions: readonly EmittedText[],
  write: (text: string) => void,
  options: ValidateOptions = {},
): Promise<boolean> {
  let ok = true;
  try {
    for (const e of emissions) {
      const v = await validateEmission(a, e, options);
      write(formatValidation(v));
      if (v.status !== "verified") ok = false;
    }
  } finally {
    await shutdownZ3();
  }
  return ok;
}
