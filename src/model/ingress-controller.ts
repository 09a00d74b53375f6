/**
 * The ingress controller as a peer. Ingresses and OpenShift Routes make an ingress controller send
 * traffic to their backend Services' pods; netpolc shows that traffic from the peer
 * `{ingress-controller}`, as netpol-analyzer does. The controller runs in a namespace netpolc does not
 * see, so it is modelled as one pod without labels in a namespace of its own that carries only its
 * name label: rules that admit every namespace (`namespaceSelector: {}`, or no `from`) admit it,
 * rules naming specific labels do not. Its own egress is unrestricted, and what it may open is
 * limited to the Services' target ports that the Ingresses and Routes name.
 */
import type { SourceRef } from "../common/index.js";
import { NAMESPACE_NAME_LABEL } from "./build.js";
import type { Analysis } from "./engine.js";
import { type ConnSet, connIntersect, connUnion, EMPTY_CONN, range } from "./ports.js";
import { serviceEndpoints } from "./services.js";
import type { Cluster } from "./types.js";

export const INGRESS_CONTROLLER_NAMESPACE = "netpolc-ingress-controller";

/** The cluster with the controller's pod appended (when there is any Ingress or Route), and its index. */
export function withIngressController(cluster: Cluster): { cluster: Cluster; pod: number | undefined } {
  if (cluster.ingresses.length === 0) return { cluster, pod: undefined };
  const source: SourceRef = cluster.ingresses[0]!.source;
  const ns = INGRESS_CONTROLLER_NAMESPACE;
  return {
    cluster: {
      ...cluster,
      namespaces: [
        ...cluster.namespaces,
        { name: ns, labels: { [NAMESPACE_NAME_LABEL]: ns }, implied: true },
      ],
      pods: [
        ...cluster.pods,
        {
          namespace: ns,
          name: "ingress-controller",
          labels: {},
          ports: [],
          ips: [],
          hostNetwork: false,
          workload: { namespace: ns, name: "ingress-controller", kind: "Pod" },
          fromTemplate: false,
          ready: true,
          source,
        },
      ],
    },
    pod: cluster.pods.length,
  };
}

/**
 * Per pod index, the target ports the Ingresses and Routes send traffic to (before policy).
 * Only pods that are backends appear.
 */
export function ingressTargets(cluster: Cluster): Map<number, ConnSet> {
  const out = new Map<number, ConnSet>();
  for (const ing of cluster.ingresses)
    for (const b of ing.backends) {
      const svc = cluster.services.find((s) => s.namespace === ing.namespace && s.name === b.service);
      if (!svc) continue;
      for (const pe of serviceEndpoints(cluster, svc)) {
        const sp = pe.servicePort;
        // Ingress: a Service port number or name. Route (`port.targetPort`): a number is the
        // endpoints' target port, a name the Service port's (= endpoint port's) name.
        const byName = typeof b.port === "string";
        if (b.port !== undefined && byName && b.port !== sp.name) continue;
        if (b.port !== undefined && !byName && ing.kind === "Ingress" && b.port !== sp.port) continue;
        for (const t of pe.targets) {
          if (t.pod === undefined) continue;
          if (b.port !== undefined && !byName && ing.kind === "Route" && b.port !== t.port) continue;
          out.set(t.pod, connUnion(out.get(t.pod) ?? EMPTY_CONN, range(t.protocol, t.port)));
        }
      }
    }
  return out;
}

/** What the controller may open to each pod: its routes' target ports that the policies allow. */
export function ingressControllerConn(
  a: Analysis,
  pods: readonly number[],
  targets: Map<number, ConnSet>,
): ConnSet {
  const ic = a.ingressControllerPod;
  if (ic === undefined) return EMPTY_CONN;
  let out = EMPTY_CONN;
  for (const p of pods) {
    const t = targets.get(p);
    if (!t) continue;
    out = connUnion(out, connIntersect(t, a.conn(a.index.classOfPod[ic]!, a.index.classOfPod[p]!)));
  }
  return out;
}
