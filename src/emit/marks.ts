/**
 * Packet mark bits netpolc's rules use, chosen apart from kube-proxy's (0x4000 masquerade, 0x8000
 * drop) and from the low bits CNIs commonly take, so the rules can sit beside other tools' rules.
 *
 * | bit      | set by                                  | read by                                   |
 * |----------|-----------------------------------------|-------------------------------------------|
 * | MASQ     | nat: hairpin and external Service       | nat POSTROUTING: masquerade, then cleared |
 * |          | traffic                                 |                                           |
 * | SELF     | nat: a pod translated to itself         | filter: accepted (a pod may always reach  |
 * |          | (hairpin)                               | itself), before any policy chain          |
 */
export const MASQ_MARK = 0x00400000;
export const SELF_MARK = 0x00800000;

export function hex(mark: number): string {
  return `0x${mark.toString(16)}`;
}
