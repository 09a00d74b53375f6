/**
 * One state of a REPL session: the input objects, the cluster built from them, and what is derived
 * from it lazily and kept (the analysis, listing peers, exposure, the solver's encoding). A `what if`
 * makes a new State; `undo` and `reset` go back to an older one, caches included.
 */
import {
  type Analysis,
  analyze,
  type Cluster,
  type ClusterPeer,
  clusterPeers,
  type ExposureEntry,
  exposure,
  formatPeer,
  type IpFamily,
  inputFamilies,
  type ModelOptions,
} from "../model/index.js";
import type { Guarantee, K8sObject } from "../parser/index.js";
import type { Verifier } from "../solver/index.js";

export class State {
  private analysisCache: Analysis | undefined;
  private peersCache: ClusterPeer[] | undefined;
  private peerIndex: Map<string, ClusterPeer> | undefined;
  private exposureIndex: Map<string, ExposureEntry[]> | undefined;
  private familiesCache: IpFamily[] | undefined;
  /** The solver's encoding of this state and the query mentions it was built for (see check.ts). */
  verifier: { readonly verifier: Promise<Verifier>; readonly mentions: ReadonlySet<string> } | undefined;
  /** Every claim the solver was asked about in this state: the encoding's vocabulary covers them. */
  seenGuarantees: readonly Guarantee[] = [];

  constructor(
    readonly objects: readonly K8sObject[],
    /** The cluster as built from the objects (before the engine adds an ingress controller pod). */
    readonly cluster: Cluster,
    readonly options: ModelOptions,
    /** What made this state (`load`, or the `what if` text). */
    readonly origin: string,
    analysis?: Analysis,
  ) {
    this.analysisCache = analysis;
  }

  get analysis(): Analysis {
    this.analysisCache ??= analyze(this.cluster, this.options);
    return this.analysisCache;
  }

  /** Workloads as listing peers (`ns/name[Kind]`), sorted as `list` sorts them. */
  get peers(): readonly ClusterPeer[] {
    this.peersCache ??= clusterPeers(this.analysis, "workload");
    return this.peersCache;
  }

  /** The listing peer of a workload, by `ns/kind/name`. */
  workloadPeer(namespace: string, kind: string, name: string): ClusterPeer | undefined {
    if (!this.peerIndex) {
      this.peerIndex = new Map();
      for (const p of this.peers)
        if (p.ref.kind === "workload")
          this.peerIndex.set(`${p.ref.namespace}/${p.ref.workloadKind}/${p.ref.name}`, p);
    }
    return this.peerIndex.get(`${namespace}/${kind}/${name}`);
  }

  get families(): readonly IpFamily[] {
    this.familiesCache ??= inputFamilies(this.analysis);
    return this.familiesCache;
  }

  /**
   * Hypothetical peers (pods that do not exist yet) reaching a workload (`ingress`) or reached by it
   * (`egress`), from exposure analysis, indexed by workload (`ns/name[Kind]`).
   */
  exposureOf(workload: string, direction: "ingress" | "egress"): readonly ExposureEntry[] {
    if (!this.exposureIndex) {
      this.exposureIndex = new Map();
      for (const e of exposure(this.cluster, this.options)) {
        const k = `${e.direction} ${formatPeer(e.workload)}`;
        const list = this.exposureIndex.get(k) ?? [];
        list.push(e);
        this.exposureIndex.set(k, list);
      }
    }
    return this.exposureIndex.get(`${direction} ${workload}`) ?? [];
  }
}
