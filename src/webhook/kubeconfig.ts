/** The client configuration of live mode: a kubeconfig file and context, or the pod's service account. */
import { existsSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { describe } from "./live-resources.js";

export interface KubeConfigOptions {
  /** A kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster, as kubectl). */
  readonly kubeconfig?: string;
  /** A context of the kubeconfig other than its current-context. */
  readonly context?: string;
  /** The pod's service account (KUBERNETES_SERVICE_HOST/PORT and the mounted token). */
  readonly inCluster?: boolean;
}

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** Loads the client configuration; throws an Error with a message for the user when it cannot. */
export function loadKubeConfig(opts: KubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  if (opts.inCluster) {
    if (opts.kubeconfig || opts.context)
      throw new Error("in-cluster configuration takes no kubeconfig or context");
    const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port } = process.env;
    if (!host || !port)
      throw new Error(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set",
      );
    if (!existsSync(SERVICE_ACCOUNT_TOKEN))
      throw new Error(
        `no service account token at ${SERVICE_ACCOUNT_TOKEN} (automountServiceAccountToken: false?)`,
      );
    kc.loadFromCluster();
    return kc;
  }
  let source = "the default kubeconfig";
  if (opts.kubeconfig) {
    source = opts.kubeconfig;
    if (!existsSync(opts.kubeconfig)) throw new Error(`kubeconfig not found: ${opts.kubeconfig}`);
    try {
      kc.loadFromFile(opts.kubeconfig);
    } catch (e) {
      throw new Error(`cannot read kubeconfig ${opts.kubeconfig}: ${describe(e)}`);
    }
  } else {
    kc.loadFromDefault();
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new Error(
        `context "${opts.context}" not found in ${source}; available: ${names.length ? names.join(", ") : "none"}`,
      );
    }
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) {
    const ctx = kc.getCurrentContext();
    throw new Error(
      ctx
        ? `context "${ctx}" in ${source} names no cluster that the file defines`
        : `${source} sets no current-context; pass a context (available: ${
            kc
              .getContexts()
              .map((c) => c.name)
              .join(", ") || "none"
          })`,
    );
  }
  return kc;
}
