/**
 * Label selector semantics (meta/v1 LabelSelector), evaluated on one label set:
 * | selector                          | matches                                          |
 * |-----------------------------------|--------------------------------------------------|
 * | {} (no matchLabels, no exprs)     | everything                                        |
 * | matchLabels {k: v}                | labels[k] === v                                   |
 * | In [v...]                         | k present and its value in the list              |
 * | NotIn [v...]                      | k absent, or its value not in the list           |
 * | Exists                            | k present (any value, also "")                    |
 * | DoesNotExist                      | k absent                                          |
 * All requirements are ANDed. (An absent selector field is handled by the caller: it means
 * "not restricted by this field", see the Peer table in types.ts.)
 */
import type { LabelSelector, Labels } from "./types.js";

export function matches(selector: LabelSelector, labels: Labels): boolean {
  const ml = selector.matchLabels;
  if (ml) for (const k of Object.keys(ml)) if (!Object.hasOwn(labels, k) || labels[k] !== ml[k]) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case "In":
        if (!has || !values.includes(labels[req.key]!)) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[req.key]!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return assertNever(req.operator);
    }
  }
  return true;
}

export function isEmptySelector(selector: LabelSelector): boolean {
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
