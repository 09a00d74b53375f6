/**
 * The policy plan: what every target enforces, independent of syntax.
 *
 * The engine groups classes that the same policies affect in a direction; each group has one vector
 * of allowed connections over all endpoints (classes, then external address atoms). The plan turns
 * each group that has local pods into one *group chain* per direction, shared by all its local pods,
 * which reach it by IP (the dispatch). A chain is a list of *cells*: the endpoints whose allowed
 * connection set is the same, as one address set with that set of ports.
 *
 * | direction | chain reached for packets whose | keyed by the packet's | allowed → | else  |
 * |-----------|---------------------------------|-----------------------|-----------|-------|
 * | egress    | source is a local isolated pod  | destination address   | continue  | drop  |
 * | ingress   | destination is a local isolated | source address        | accept    | drop  |
 * |           | pod                             |                       |           |       |
 *
 * Pod addresses lie inside external atoms, and a pod is judged as its class, never as the atom its
 * IP falls in: pod cells come first, then every other pod address is dropped, then the atom cells.
 * So the sets never need the atoms' ranges cut around pod IPs, and size grows with groups × cells
 * plus the distinct peer sets (shared by content), not with pairs of pods.
 *
 * Both halves come from the engine (see directional.ts): the egress chain enforces egress(s → d),
 * the ingress chain ingress(d ← s); a packet passing both is allowed exactly when conn(s, d) holds.
 */
import {
  type Analysis,
  type ConnSet,
  connKey,
  type Direction,
  EMPTY_ID,
  type IpFamily,
  type IpRange,
  type Policy,
} from "../model/index.js";
import { type AddressSet, addressSet, SetPool } from "./address-set.js";
import { directional } from "./directional.js";
import { isLocal } from "./placement.js";

export interface Cell {
  readonly peers: AddressSet;
  readonly conn: ConnSet;
}

export interface GroupChain {
  readonly direction: Direction;
  /** What the chain stands for: the direction and the policies affecting its classes, in tier order. */
  readonly readable: string;
  /** The local pods dispatched to this chain. */
  readonly members: AddressSet;
  readonly pods: readonly Cell[];
  readonly external: readonly Cell[];
}

export interface FamilyPlan {
  readonly family: IpFamily;
  /** Every modelled pod address of the family (pod cells first, then these are dropped). */
  readonly pods: AddressSet;
  readonly egress: readonly GroupChain[];
  readonly ingress: readonly GroupChain[];
  /** Local policed hostNetwork pods (`--host-network distinguish`): their traffic uses INPUT/OUTPUT. */
  readonly hostPods: AddressSet;
}

export interface PolicyPlan {
  readonly families: readonly FamilyPlan[];
  readonly warnings: readonly string[];
}

const FAMILIES: readonly IpFamily[] = [4, 6];

interface Group {
  readonly readable: string;
  readonly classes: number[];
}

export function planPolicy(a: Analysis, node: string | undefined): PolicyPlan {
  const K = a.classCount;
  const width = K + a.space.atoms.length;
  const halves = directional(a);
  const pool = new SetPool();
  const warnings: string[] = [];

  // 1. Addresses per class and family (all pods), and the local ones.
  const classIps: Record<IpFamily, IpRange[][]> = { 4: [], 6: [] };
  const localIps: Record<IpFamily, IpRange[][]> = { 4: [], 6: [] };
  for (const f of FAMILIES)
    for (let c = 0; c < K; c++) {
      classIps[f].push([]);
      localIps[f].push([]);
    }
  const owner = new Map<string, number>();
  let noIp = 0;
  const duplicates: string[] = [];
  a.cluster.pods.forEach((p, i) => {
    const c = a.index.classOfPod[i]!;
    if (p.ips.length === 0 && i !== a.ingressControllerPod) noIp++;
    for (const ip of p.ips) {
      const key = `${ip.family}:${ip.value}`;
      const prev = owner.get(key);
      if (prev !== undefined && prev !== c) duplicates.push(`${p.namespace}/${p.name}`);
      owner.set(key, c);
      const r = { family: ip.family, lo: ip.value, hi: ip.value };
      classIps[ip.family][c]!.push(r);
      if (isLocal(p, node)) localIps[ip.family][c]!.push(r);
    }
  });
  // Each class's addresses as merged ranges (replicas get consecutive addresses: usually one).
  for (const f of FAMILIES)
    for (let c = 0; c < K; c++) {
      classIps[f][c] = [...addressSet(f, classIps[f][c]!).ranges];
      localIps[f][c] = [...addressSet(f, localIps[f][c]!).ranges];
    }
  if (noIp > 0)
    warnings.push(
      `${noIp} pod(s) have no IP address in the manifests: no rule can match them (give them IPs, or use --assign-ips)`,
    );
  if (duplicates.length > 0)
    warnings.push(
      `pods share an IP address with a pod of another class (${duplicates.slice(0, 3).join(", ")}${duplicates.length > 3 ? ", …" : ""}): the dataplane cannot tell them apart`,
    );

  // 2. Groups: local classes affected by the same policies in a direction share one chain.
  const policyIndex = new Map<Policy, number>();
  for (const p of [...a.cluster.policies, ...a.cluster.clusterPolicies]) policyIndex.set(p, policyIndex.size);
  const groups = (direction: Direction): Group[] => {
    const byKey = new Map<string, Group>();
    const readables = new Set<string>();
    for (let c = 0; c < K; c++) {
      if (!a.isolated(c, direction)) continue;
      if (localIps[4][c]!.length === 0 && localIps[6][c]!.length === 0) continue;
      const s = a.selection(c, direction);
      const tiers = [...s.admin, ...s.np, ...s.baseline];
      // Named ports in ingress rules resolve against the destination: its ports are part of the key.
      const named =
        direction === "ingress" &&
        tiers.some((p) => p.ingress.some((r) => r.ports.some((m) => m.kind === "named")));
      const key = `${tiers.map((p) => policyIndex.get(p)).join(",")}${named ? `#${a.index.classes[c]!.portsKey}` : ""}`;
      let g = byKey.get(key);
      if (!g) {
        // Cluster policies are named with their kind (a ClusterNetworkPolicy and an
        // AdminNetworkPolicy may share a name); NetworkPolicies with their namespace.
        const refs = (list: readonly Policy[]) =>
          list
            .map((p) =>
              p.tier === "networkpolicy" ? `${p.namespace}/${p.ref.name}` : `${p.ref.kind}/${p.ref.name}`,
            )
            .join(",");
        const parts = [
          s.admin.length > 0 ? `admin ${refs(s.admin)}` : "",
          s.np.length > 0 ? `np ${refs(s.np)}` : "",
          s.baseline.length > 0 ? `baseline ${refs(s.baseline)}` : "",
          named ? `ports ${a.index.classes[c]!.portsKey}` : "",
        ].filter(Boolean);
        // The readable name is the chain's hash input: it must stay unique.
        let readable = `${direction} ${parts.join("; ")}`;
        for (let n = 2; readables.has(readable); n++) readable = `${direction} ${parts.join("; ")} (${n})`;
        readables.add(readable);
        g = { readable, classes: [] };
        byKey.set(key, g);
      }
      g.classes.push(c);
    }
    return [...byKey.values()].sort((x, y) =>
      x.readable < y.readable ? -1 : x.readable > y.readable ? 1 : 0,
    );
  };

  // 3. Each group's vector, as cells per family.
  const classSets = new Map<string, Record<IpFamily, AddressSet>>();
  const podCells = (classes: number[]) => {
    const key = classes.join(",");
    let sets = classSets.get(key);
    if (!sets) {
      sets = {
        4: pool.intern(
          addressSet(
            4,
            classes.flatMap((c) => classIps[4][c]!),
          ),
        ),
        6: pool.intern(
          addressSet(
            6,
            classes.flatMap((c) => classIps[6][c]!),
          ),
        ),
      };
      classSets.set(key, sets);
    }
    return sets;
  };
  const plans: Record<IpFamily, Record<Direction, GroupChain[]>> = {
    4: { egress: [], ingress: [] },
    6: { egress: [], ingress: [] },
  };
  for (const direction of ["egress", "ingress"] as const) {
    const half = direction === "egress" ? halves.egress : halves.ingress;
    for (const g of groups(direction)) {
      const c0 = g.classes[0]!;
      const byConn = new Map<number, { classes: number[]; atoms: IpRange[] }>();
      for (let e = 0; e < width; e++) {
        const id = direction === "egress" ? half.connId(c0, e) : half.connId(e, c0);
        if (id === EMPTY_ID) continue;
        let cell = byConn.get(id);
        if (!cell) {
          cell = { classes: [], atoms: [] };
          byConn.set(id, cell);
        }
        if (e < K) cell.classes.push(e);
        else cell.atoms.push(a.space.atoms[e - K]!);
      }
      const cells = [...byConn.entries()]
        .map(([id, v]) => ({ conn: half.conns.get(id), ...v }))
        .sort((x, y) => connOrder(x.conn, y.conn));
      for (const f of FAMILIES) {
        const members = pool.intern(
          addressSet(
            f,
            g.classes.flatMap((c) => localIps[f][c]!),
          ),
        );
        if (members.ranges.length === 0) continue;
        const pods: Cell[] = [];
        const external: Cell[] = [];
        for (const cell of cells) {
          const peers = podCells(cell.classes)[f];
          if (peers.ranges.length > 0) pods.push({ peers, conn: cell.conn });
          const ext = pool.intern(
            addressSet(
              f,
              cell.atoms.filter((r) => r.family === f),
            ),
          );
          if (ext.ranges.length > 0) external.push({ peers: ext, conn: cell.conn });
        }
        plans[f][direction].push({ direction, readable: g.readable, members, pods, external });
      }
    }
  }

  // 4. Per family: the pod addresses, and the local policed hostNetwork pods.
  const families: FamilyPlan[] = [];
  for (const f of FAMILIES) {
    const pods = pool.intern(addressSet(f, classIps[f].flat()));
    const hostRanges: IpRange[] = [];
    if (a.options.hostNetwork === "distinguish")
      a.cluster.pods.forEach((p) => {
        if (p.hostNetwork && isLocal(p, node))
          for (const ip of p.ips)
            if (ip.family === f) hostRanges.push({ family: f, lo: ip.value, hi: ip.value });
      });
    const plan = plans[f];
    if (pods.ranges.length === 0 && plan.egress.length === 0 && plan.ingress.length === 0) continue;
    families.push({ family: f, pods, ...plan, hostPods: pool.intern(addressSet(f, hostRanges)) });
  }
  return { families, warnings };
}

/** Cells in a stable order: by the canonical key of their connection sets (unique per chain). */
function connOrder(x: ConnSet, y: ConnSet): number {
  const a = connKey(x);
  const b = connKey(y);
  return a < b ? -1 : a > b ? 1 : 0;
}
