/**
 * From a z3 model back to Kubernetes terms: a satisfying assignment of endpoint and connection
 * variables becomes concrete pods (existing, or hypothetical ones with labels, namespace, ports and
 * IP), addresses, a protocol and a port.
 */
import type { Model } from "z3-solver";
import type { Analysis } from "../model/engine.js";
import {
  formatIp,
  type IpAddress,
  type Labels,
  NAMESPACE_NAME_LABEL,
  type NamedPort,
  type Protocol,
} from "../model/index.js";
import type { KeyDomain, Universe } from "./universe.js";
import { type Conn, type Endpoint, KIND, PROTOCOL_CODES, type World } from "./world.js";
import type { B, BV, Ctx } from "./z3.js";

export type DecodedEndpoint =
  | {
      readonly kind: "pod";
      /** An existing pod (a representative of its class), or a hypothetical one. */
      readonly existing: boolean;
      readonly namespace: string;
      readonly name: string;
      /** The owning workload as `ns/name[Kind]` (existing pods). */
      readonly workload?: string | undefined;
      readonly labels: Labels;
      readonly namespaceLabels: Labels;
      /** True when the namespace does not exist in the input (it would be created). */
      readonly newNamespace: boolean;
      readonly ports: readonly NamedPort[];
      readonly ip?: IpAddress | undefined;
      /** Index of the pod in the analysed cluster (existing pods). */
      readonly podIndex?: number | undefined;
    }
  | { readonly kind: "address"; readonly ip: IpAddress };

export interface DecodedConn {
  readonly protocol: Protocol;
  readonly port: number;
}

export class Decoder {
  constructor(
    private readonly ctx: Ctx,
    private readonly model: Model<"netpolc">,
    private readonly universe: Universe,
  ) {}

  bv(x: BV): bigint {
    const v = this.model.eval(x, true) as unknown as { value(): bigint };
    return v.value();
  }

  bool(x: B): boolean {
    return this.ctx.isTrue(this.model.eval(x, true));
  }

  conn(k: Conn): DecodedConn {
    return { protocol: PROTOCOL_CODES[Number(this.bv(k.proto))] ?? "TCP", port: Number(this.bv(k.port)) };
  }

  /** `names` gives fresh namespace names for hypothetical namespaces, shared by one counterexample. */
  endpoint(w: World, e: Endpoint, fresh: FreshNames): DecodedEndpoint {
    const kind = Number(this.bv(e.kind));
    const ip: IpAddress = { family: this.bool(e.is6) ? 6 : 4, value: this.bv(e.ip) };
    if (kind === KIND.address) return { kind: "address", ip };
    const a: Analysis = w.analysis;
    if (kind === KIND.existing) return existingPodEndpoint(a, w.representativePod(Number(this.bv(e.ent))));
    // A hypothetical pod: its free labels, ports and namespace.
    const u = this.universe;
    const nsIndex = Number(this.bv(e.ns));
    const existingNs = nsIndex < u.namespaces.length ? u.namespaces[nsIndex]! : undefined;
    const inInput = existingNs !== undefined && a.cluster.namespaces.find((n) => n.name === existingNs);
    const namespace = existingNs ?? fresh.namespace(e.name);
    const labels = this.labels(u.podKeys, e.lab);
    const namespaceLabels = inInput
      ? inInput.labels
      : { ...this.labels(u.nsKeys, e.nsLab), [NAMESPACE_NAME_LABEL]: namespace };
    const ports: NamedPort[] = [];
    for (const s of e.slots)
      s.present.forEach((p, j) => {
        if (this.bool(p))
          ports.push({ name: s.name, protocol: s.protocol, port: Number(this.bv(s.port[j]!)) });
      });
    return {
      kind: "pod",
      existing: false,
      namespace,
      name: fresh.pod(e.name),
      labels,
      namespaceLabels,
      newNamespace: !inInput,
      ports,
      ip: a.options.ipBlockPods === "include" && w.podAddresses(e) !== undefined ? ip : undefined,
    };
  }

  private labels(keys: ReadonlyMap<string, KeyDomain>, vars: ReadonlyMap<string, BV>): Labels {
    const out: Record<string, string> = {};
    for (const d of keys.values()) {
      const i = Number(this.bv(vars.get(d.key)!));
      if (i === 0) continue;
      out[d.key] = i <= d.values.length ? d.values[i - 1]! : otherValue(d);
    }
    return out;
  }
}

/** An existing pod of the analysed input (by index) as an endpoint. */
export function existingPodEndpoint(a: Analysis, podIndex: number): DecodedEndpoint {
  const pod = a.cluster.pods[podIndex]!;
  const ns = a.cluster.namespaces.find((n) => n.name === pod.namespace);
  return {
    kind: "pod",
    existing: true,
    namespace: pod.namespace,
    name: pod.name,
    workload: `${pod.workload.namespace}/${pod.workload.name}[${pod.workload.kind}]`,
    labels: pod.labels,
    namespaceLabels: ns?.labels ?? { [NAMESPACE_NAME_LABEL]: pod.namespace },
    newNamespace: false,
    ports: pod.ports,
    ip: pod.ips[0],
    podIndex,
  };
}

/** A value of the key that no selector mentions ("any other value"). */
export function otherValue(d: KeyDomain): string {
  for (let n = 0; ; n++) {
    const v = n === 0 ? "other" : `other-${n}`;
    if (!d.index.has(v)) return v;
  }
}

/** Names for hypothetical pods and namespaces, unique within one counterexample and the input. */
export class FreshNames {
  private readonly taken: Set<string>;
  private readonly given = new Map<string, string>();
  constructor(existing: Iterable<string>) {
    this.taken = new Set(existing);
  }
  namespace(endpoint: string): string {
    return this.name(`ns:${endpoint}`, "new-namespace");
  }
  pod(endpoint: string): string {
    return this.name(`pod:${endpoint}`, endpoint.startsWith("d") ? "new-destination-pod" : "new-source-pod");
  }
  private name(key: string, base: string): string {
    let v = this.given.get(key);
    if (v) return v;
    v = base;
    for (let n = 2; this.taken.has(v); n++) v = `${base}-${n}`;
    this.taken.add(v);
    this.given.set(key, v);
    return v;
  }
}

export function formatEndpoint(e: DecodedEndpoint): string {
  if (e.kind === "address") return formatIp(e.ip.family, e.ip.value);
  const labels = Object.entries(e.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  if (e.existing) return `${e.namespace}/${e.name}${e.workload ? ` (${e.workload})` : ""}`;
  const ns = e.newNamespace
    ? `new namespace ${e.namespace}${labelText(e.namespaceLabels)}`
    : `namespace ${e.namespace}`;
  const ports =
    e.ports.length > 0 ? ` ports ${e.ports.map((p) => `${p.name}=${p.protocol}/${p.port}`).join(",")}` : "";
  const ip = e.ip ? ` ip ${formatIp(e.ip.family, e.ip.value)}` : "";
  return `a new pod {${labels}} in ${ns}${ports}${ip}`;
}

function labelText(l: Labels): string {
  const parts = Object.entries(l)
    .filter(([k]) => k !== NAMESPACE_NAME_LABEL)
    .map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? ` {${parts.join(",")}}` : "";
}
