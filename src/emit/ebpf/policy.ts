/**
 * Policy map entries of one pod class, from the model's cells.
 *
 * The program allows a first packet from S to D iff S's egress check and D's ingress check both
 * pass, each skipped when the endpoint does not enforce that direction. With E(S, D) the egress
 * entries of S and I(D, S) the ingress entries of D, the model's cell conn(S, D) must be
 * E ∩ I. The model only answers conn (tiers folded in), so the cells are split as follows:
 *
 * | S egress enforced | D ingress enforced | E(S, D)     | I(D, S)                              |
 * |-------------------|--------------------|-------------|--------------------------------------|
 * | no                | no                 | (not read)  | (not read): conn = all, as unisolated |
 * | yes               | no                 | conn(S, D)  | (not read)                           |
 * | no                | yes                | (not read)  | conn(S, D)                           |
 * | yes               | yes                | conn(S, D)  | any superset of conn(S, D)           |
 *
 * External addresses never enforce (policy applies to pods), so they are exact peers on both sides.
 * A direction is *enforced* for a class the model isolates in it whose pods are endpoints (have an
 * address and are not hostNetwork).
 *
 * Compression: per direction, the connections allowed to or from every exact peer (their
 * intersection W) become one wildcard entry (identity 0), and each peer keeps only what W lacks.
 * The program looks the peer up first, then the wildcard, so a peer gets its entries ∪ W.
 */
import { type Analysis, EMPTY_ID, PROTOCOLS } from "../../model/index.js";
import type { Identities } from "./identities.js";
import { ID_ANY, PREFIX_ANY_PROTOCOL, PREFIX_PROTOCOL, PROTOCOL_NUMBER } from "./layout.js";
import { portPrefixes } from "./prefixes.js";

export interface PolicyEntry {
  readonly identity: number;
  readonly egress: boolean;
  /** IP protocol number; 0 = any. */
  readonly protocol: number;
  readonly port: number;
  readonly prefixlen: number;
}

/** One connection set as (protocol, port, prefixlen) triples, without identity and direction. */
type Triple = readonly [protocol: number, port: number, prefixlen: number];

export class PolicyBuilder {
  private readonly triples = new Map<number, readonly Triple[]>();
  /** Per class: the egress and ingress directions it enforces. */
  readonly enforces: readonly { readonly ingress: boolean; readonly egress: boolean }[];
  /** Pod classes with an address (the only ones that can be peers), and their identities. */
  private readonly peerClasses: readonly number[];
  private readonly K: number;
  private readonly row: Int32Array;

  constructor(
    private readonly a: Analysis,
    private readonly ids: Identities,
  ) {
    this.K = a.classCount;
    this.row = new Int32Array(this.K);
    this.enforces = a.index.classes.map((c) => {
      const endpoint = !c.hostNetwork && c.atoms.length > 0;
      return {
        ingress: endpoint && a.isolated(c.index, "ingress"),
        egress: endpoint && a.isolated(c.index, "egress"),
      };
    });
    this.peerClasses = a.index.classes.filter((c) => c.atoms.length > 0).map((c) => c.index);
  }

  /** The entries of class `c`'s policy map, sorted; empty when it enforces nothing. */
  entries(c: number): PolicyEntry[] {
    const out: PolicyEntry[] = [];
    const { ingress, egress } = this.enforces[c]!;
    if (egress) this.direction(c, true, out);
    if (ingress) this.direction(c, false, out);
    return out.sort(
      (x, y) =>
        x.identity - y.identity ||
        Number(x.egress) - Number(y.egress) ||
        x.protocol - y.protocol ||
        x.port - y.port ||
        x.prefixlen - y.prefixlen,
    );
  }

  private direction(c: number, egress: boolean, out: PolicyEntry[]): void {
    const a = this.a;
    const K = this.K;
    // 1. The cell towards (egress) or from (ingress) every peer, and whether that peer is exact.
    const cells: { identity: number; id: number; exact: boolean }[] = [];
    if (egress) a.rowInto(c, this.row);
    for (const p of this.peerClasses) {
      const id = egress ? this.row[p]! : a.connId(p, c);
      cells.push({ identity: this.ids.ofClass[p]!, id, exact: egress || !this.enforces[p]!.egress });
    }
    for (const g of this.ids.groups) {
      const e = K + g.atoms[0]!;
      cells.push({ identity: g.identity, id: egress ? a.connId(c, e) : a.connId(e, c), exact: true });
    }
    // 2. The wildcard: what every exact peer gets.
    let w = -1;
    for (const cell of cells) if (cell.exact) w = w < 0 ? cell.id : a.conns.intersect(w, cell.id);
    if (w < 0) w = EMPTY_ID;
    this.push(ID_ANY, egress, w, out);
    // 3. Each peer: what the wildcard lacks.
    for (const cell of cells) this.push(cell.identity, egress, a.conns.subtract(cell.id, w), out);
  }

  private push(identity: number, egress: boolean, connId: number, out: PolicyEntry[]): void {
    if (connId === EMPTY_ID) return;
    for (const [protocol, port, prefixlen] of this.triplesOf(connId))
      out.push({ identity, egress, protocol, port, prefixlen });
  }

  private triplesOf(connId: number): readonly Triple[] {
    let t = this.triples.get(connId);
    if (t) return t;
    const set = this.a.conns.get(connId);
    const out: Triple[] = [];
    const full = (iv: readonly number[]) => iv.length === 2 && iv[0] === 1 && iv[1] === 65535;
    if (PROTOCOLS.every((p) => full(set[p]))) out.push([0, 0, PREFIX_ANY_PROTOCOL]);
    else
      for (const p of PROTOCOLS) {
        const iv = set[p];
        const proto = PROTOCOL_NUMBER[p];
        for (let i = 0; i < iv.length; i += 2)
          for (const pp of portPrefixes(iv[i]!, iv[i + 1]!))
            out.push([proto, pp.port, PREFIX_PROTOCOL + pp.bits]);
      }
    t = out;
    this.triples.set(connId, t);
    return t;
  }
}
