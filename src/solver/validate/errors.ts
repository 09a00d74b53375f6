/**
 * A construct of an emitted file that the rule model does not cover. Validation stops there rather
 * than guess: ignoring a rule it does not understand would prove something about another ruleset.
 * Thrown inside the parsers, caught at `validateEmission`, which returns it as data.
 */
export class UnsupportedRule extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
    readonly text: string,
  ) {
    super(
      `${file}${line > 0 ? `:${line}` : ""}: ${detail}${text ? `: ${text.length > 160 ? `${text.slice(0, 157)}...` : text}` : ""}`,
    );
    this.name = "UnsupportedRule";
  }
}

/** Parses an unsigned decimal or 0x-hex number; undefined when it is not one. */
export function parseNumber(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^\d+$/.test(text)) return Number(text);
  return undefined;
}
