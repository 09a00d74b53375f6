/**
 * The in-cluster deployment of the admission webhook (deploy/, docs/deploy.md).
 *
 * (a) The manifests: every YAML parses and names its objects; the webhook registration reviews every
 *     kind `netpolc serve` handles, safely (sideEffects, timeout, its own namespace excluded, CEL
 *     conditions); the ClusterRole grants list+watch on every watched kind and nothing more; the
 *     Deployment, Service, Secret, ConfigMap and registration agree with one another; the Deployment
 *     passes `netpolc serve` only flags it has. Those flags are checked against a fixed list (the
 *     CLI's documented options; nothing is imported from src/) and, when the built CLI has the
 *     `serve` command (`npm test` builds dist/ first), against `netpolc serve --help` as well.
 * (b) deploy/gen-certs.sh, run for real with openssl: the CA and serving certificate verify and
 *     carry the Service's names; the rendered registration's caBundle is the CA; a Node HTTPS server
 *     with the certificate completes a TLS handshake with a client trusting only that CA, and fails
 *     it with a client trusting another CA or asking for another name.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, get, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { connect } from "node:tls";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const DEPLOY = join(ROOT, "deploy");
const SCRIPT = join(DEPLOY, "gen-certs.sh");
const BIN = join(ROOT, "dist", "src", "cli", "main.js");

const NAMESPACE = "netpolc-system";
const SERVICE_NAMES = [
  "netpolc-webhook",
  "netpolc-webhook.netpolc-system",
  "netpolc-webhook.netpolc-system.svc",
  "netpolc-webhook.netpolc-system.svc.cluster.local",
];

interface Resource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespaced: boolean;
}

const r = (group: string, version: string, resource: string, namespaced = true): Resource => ({
  group,
  version,
  resource,
  namespaced,
});

/** What `netpolc serve` reviews: CREATE, UPDATE and DELETE of these. */
const REVIEWED: readonly Resource[] = [
  r("", "v1", "namespaces", false),
  r("", "v1", "pods"),
  r("", "v1", "services"),
  r("apps", "v1", "deployments"),
  r("apps", "v1", "replicasets"),
  r("apps", "v1", "statefulsets"),
  r("apps", "v1", "daemonsets"),
  r("batch", "v1", "jobs"),
  r("batch", "v1", "cronjobs"),
  r("networking.k8s.io", "v1", "networkpolicies"),
  r("policy.networking.k8s.io", "v1alpha2", "clusternetworkpolicies", false),
  r("policy.networking.k8s.io", "v1alpha1", "adminnetworkpolicies", false),
  r("policy.networking.k8s.io", "v1alpha1", "baselineadminnetworkpolicies", false),
];

/** What `netpolc serve --in-cluster` lists and watches: the reviewed kinds and EndpointSlices. */
const WATCHED: readonly Resource[] = [...REVIEWED, r("discovery.k8s.io", "v1", "endpointslices")];

/**
 * `netpolc serve`'s options as documented (the CLI's specification and docs/webhook.md): whether each
 * takes a value, and its choices. A fixed list, since the tests run from source and import nothing from src/; the
 * `serve --help` test below compares it with the built CLI whenever that has the command.
 */
const SERVE_OPTIONS: Readonly<Record<string, { value: boolean; choices?: readonly string[] }>> = {
  "--guarantees": { value: true },
  "--snapshot": { value: true },
  "--kubeconfig": { value: true },
  "--context": { value: true },
  "--in-cluster": { value: false },
  "--tls-cert": { value: true },
  "--tls-key": { value: true },
  "--port": { value: true },
  "--address": { value: true },
  "--mode": { value: true, choices: ["enforce", "warn", "audit"] },
  "--failure-policy": { value: true, choices: ["Fail", "Ignore"] },
  "--deadline-ms": { value: true },
  "--max-body-bytes": { value: true },
  "--ipblock-pods": { value: true, choices: ["include", "exclude"] },
  // Also in docs/webhook.md's synopsis.
  "--timeout": { value: true },
  "--log-level": { value: true, choices: ["debug", "info", "warn", "error"] },
  "--host-network": { value: true, choices: ["node", "distinguish"] },
};
const DEFAULT_DEADLINE_MS = 5000;
/** The caBundle placeholder of deploy/validating-webhook.yaml, which gen-certs.sh fills. */
const PLACEHOLDER = "$" + "{CA_BUNDLE}";

// --- the manifests, loosely typed ------------------------------------------------------------------

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Obj {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  [field: string]: unknown;
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface KeyToPath {
  key: string;
  path: string;
}
interface Volume {
  name: string;
  configMap?: { name: string; items?: KeyToPath[] };
  secret?: { secretName: string; items?: KeyToPath[] };
  projected?: {
    sources: {
      configMap?: { name: string; items?: KeyToPath[] };
      secret?: { name: string; items?: KeyToPath[] };
    }[];
  };
  emptyDir?: unknown;
}
interface Probe {
  httpGet?: { path: string; port: number | string; scheme?: string };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args: string[];
  ports: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
interface Deployment extends Obj {
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        serviceAccountName: string;
        securityContext?: SecurityContext;
        containers: Container[];
        volumes: Volume[];
      };
    };
  };
}
interface Rule {
  apiGroups: string[];
  apiVersions?: string[];
  resources: string[];
  operations?: string[];
  verbs?: string[];
  scope?: string;
}
interface Webhook {
  name: string;
  admissionReviewVersions: string[];
  sideEffects: string;
  failurePolicy?: string;
  matchPolicy?: string;
  timeoutSeconds?: number;
  clientConfig: {
    service?: { namespace: string; name: string; path?: string; port?: number };
    url?: string;
    caBundle?: string;
  };
  rules: Rule[];
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  matchConditions?: { name: string; expression: string }[];
}
interface WebhookConfiguration extends Obj {
  webhooks: Webhook[];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
    )
    .sort();
}

function parseFile(file: string): Obj[] {
  return (loadAll(readFileSync(file, "utf8")) as unknown[]).filter((d) => d != null) as Obj[];
}

const FILES = yamlFiles(DEPLOY);
const DOCS = new Map(FILES.map((f) => [relative(DEPLOY, f), parseFile(f)]));

/** The one object of this kind (and name) in this file of deploy/. */
function one<T extends Obj>(file: string, kind: string, name?: string): T {
  const found = (DOCS.get(file) ?? []).filter((o) => o.kind === kind && (!name || o.metadata.name === name));
  expect(found.length, `${file}: one ${kind}${name ? ` ${name}` : ""}`).toBe(1);
  return found[0] as T;
}

const deployment = () => one<Deployment>("deployment.yaml", "Deployment");
const container = () => deployment().spec.template.spec.containers[0]!;
const service = () =>
  one<
    Obj & {
      spec: { selector: Record<string, string>; ports: { port: number; targetPort: number | string }[] };
    }
  >("service.yaml", "Service");

function matches(selector: LabelSelector, labels: Record<string, string>): boolean {
  return (
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    (selector.matchExpressions ?? []).every((e) =>
      e.operator === "In"
        ? (e.values ?? []).includes(labels[e.key]!)
        : e.operator === "NotIn"
          ? !(e.values ?? []).includes(labels[e.key]!)
          : e.operator === "Exists"
            ? e.key in labels
            : !(e.key in labels),
    )
  );
}

/** The container port a probe's or Service's port refers to (a number or a port name). */
function containerPort(port: number | string): number | undefined {
  return typeof port === "number" ? port : container().ports.find((p) => p.name === port)?.containerPort;
}

/** `serve`'s options as the Deployment passes them: flag → value (true for a flag without one). */
function serveArgs(args: readonly string[]): Map<string, string | true> {
  expect(args[0]).toBe("serve");
  const out = new Map<string, string | true>();
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    expect(arg, `argument ${i} (${arg}) is an option`).toMatch(/^--[a-z]/);
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const option = SERVE_OPTIONS[flag];
    expect(option, `netpolc serve has no option ${flag}`).toBeDefined();
    expect(out.has(flag), `${flag} given twice`).toBe(false);
    if (!option!.value) {
      expect(eq, `${flag} takes no value`).toBe(-1);
      out.set(flag, true);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
    expect(value, `${flag} needs a value`).toBeDefined();
    expect(value!.startsWith("--"), `${flag} needs a value, not ${value}`).toBe(false);
    if (option!.choices) expect(option!.choices, `${flag} ${value}`).toContain(value);
    out.set(flag, value!);
  }
  return out;
}

/**
 * Which ConfigMap or Secret key a file in the container comes from, through the mount that holds it
 * (a directory, or the file itself with subPath) and the volume's items (configMap, secret or
 * projected sources); with the mount, to check how it is mounted.
 */
function fileSource(path: string):
  | {
      kind: "ConfigMap" | "Secret";
      name: string;
      key: string;
      mount: { mountPath: string; subPath?: string };
    }
  | undefined {
  const dir = (p: string) => p.replace(/\/$/, "");
  const mount = (container().volumeMounts ?? []).find((m) =>
    m.subPath ? path === m.mountPath : path.startsWith(`${dir(m.mountPath)}/`),
  );
  if (!mount) return undefined;
  const rel = mount.subPath ?? path.slice(dir(mount.mountPath).length + 1);
  const volume = deployment().spec.template.spec.volumes.find((v) => v.name === mount.name);
  expect(volume, `volume ${mount.name}`).toBeDefined();
  const key = (items: KeyToPath[] | undefined): string | undefined =>
    items ? items.find((i) => i.path === rel)?.key : rel.includes("/") ? undefined : rel;
  const sources = [
    ...(volume!.configMap ? [{ configMap: volume!.configMap }] : []),
    ...(volume!.secret ? [{ secret: { name: volume!.secret.secretName, items: volume!.secret.items } }] : []),
    ...(volume!.projected?.sources ?? []),
  ];
  const { mountPath, subPath } = mount;
  for (const s of sources) {
    const k = s.configMap ? key(s.configMap.items) : s.secret ? key(s.secret.items) : undefined;
    if (k && s.configMap)
      return { kind: "ConfigMap", name: s.configMap.name, key: k, mount: { mountPath, subPath } };
    if (k && s.secret) return { kind: "Secret", name: s.secret.name, key: k, mount: { mountPath, subPath } };
  }
  return undefined;
}

/**
 * A light syntax check of a CEL expression: string literals closed, brackets balanced and nested
 * properly outside them, no empty expression. (The API server compiles it for real on apply.)
 */
function celSyntaxProblem(expression: string): string | undefined {
  if (!expression.trim()) return "empty";
  const stack: string[] = [];
  const close: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (c === "'" || c === '"') {
      const end = expression.indexOf(c, i + 1);
      if (end < 0) return `unclosed string at ${i}`;
      i = end;
    } else if ("([{".includes(c)) stack.push(c);
    else if (c in close && stack.pop() !== close[c]) return `unbalanced ${c} at ${i}`;
  }
  return stack.length ? `unclosed ${stack.join("")}` : undefined;
}

/** The built CLI's `serve --help`, when dist/ has a CLI with that command (else undefined). */
function builtServeHelp(): string | undefined {
  if (!existsSync(BIN)) return undefined;
  const run = spawnSync(process.execPath, [BIN, "serve", "--help"], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", COLUMNS: "200" },
    timeout: 30_000,
  });
  return run.status === 0 && run.stdout.startsWith("Usage: netpolc serve") ? run.stdout : undefined;
}
const SERVE_HELP = builtServeHelp();

function which(tool: string): string | undefined {
  const run = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

// --- (a) the manifests -------------------------------------------------------------------------------

describe("deploy/ manifests", () => {
  const CLUSTER_SCOPED = new Set([
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "ValidatingWebhookConfiguration",
    "Kustomization",
  ]);

  it("has the expected files", () => {
    expect([...DOCS.keys()]).toEqual(
      expect.arrayContaining([
        "namespace.yaml",
        "rbac.yaml",
        "guarantees-configmap.yaml",
        "deployment.yaml",
        "service.yaml",
        "validating-webhook.yaml",
        "kustomization.yaml",
        "cert-manager/certificate.yaml",
        "cert-manager/validating-webhook.yaml",
        "cert-manager/kustomization.yaml",
      ]),
    );
  });

  it.each(FILES.map((f) => relative(DEPLOY, f)))(
    "%s parses, and each document has apiVersion, kind and metadata.name",
    (file) => {
      const docs = DOCS.get(file)!;
      expect(docs.length).toBeGreaterThan(0);
      for (const d of docs) {
        expect(typeof d, file).toBe("object");
        expect(d.apiVersion, file).toMatch(/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/);
        expect(d.kind, file).toMatch(/^[A-Z][A-Za-z]+$/);
        expect(d.metadata?.name, `${file}: ${d.kind}`).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
        if (CLUSTER_SCOPED.has(d.kind)) expect(d.metadata.namespace, `${file}: ${d.kind}`).toBeUndefined();
        else expect(d.metadata.namespace, `${file}: ${d.kind} ${d.metadata.name}`).toBe(NAMESPACE);
      }
    },
  );

  it("the Namespace is netpolc-system", () => {
    expect(one("namespace.yaml", "Namespace").metadata.name).toBe(NAMESPACE);
  });

  describe("ValidatingWebhookConfiguration", () => {
    const configurations = (): [string, WebhookConfiguration][] => [
      [
        "validating-webhook.yaml",
        one<WebhookConfiguration>("validating-webhook.yaml", "ValidatingWebhookConfiguration"),
      ],
      [
        "cert-manager/validating-webhook.yaml",
        one<WebhookConfiguration>("cert-manager/validating-webhook.yaml", "ValidatingWebhookConfiguration"),
      ],
    ];

    it("is admissionregistration.k8s.io/v1 with one fully qualified webhook", () => {
      for (const [file, c] of configurations()) {
        expect(c.apiVersion, file).toBe("admissionregistration.k8s.io/v1");
        expect(c.webhooks.map((w) => w.name)).toEqual(["validate.netpolc.dev"]);
      }
    });

    it("is safe to call: v1 reviews, no side effects, a timeout within 1..30 s, fails closed, Equivalent", () => {
      for (const [file, c] of configurations()) {
        for (const w of c.webhooks) {
          expect(w.admissionReviewVersions, file).toContain("v1");
          expect(w.sideEffects, file).toBe("None");
          expect(Number.isInteger(w.timeoutSeconds), file).toBe(true);
          expect(w.timeoutSeconds!, file).toBeGreaterThanOrEqual(1);
          expect(w.timeoutSeconds!, file).toBeLessThanOrEqual(30);
          expect(w.failurePolicy, file).toBe("Fail");
          expect(w.matchPolicy, file).toBe("Equivalent");
        }
      }
    });

    it("the server's deadline (--deadline-ms) ends before the API server's timeout", () => {
      const deadline = serveArgs(container().args).get("--deadline-ms");
      const ms = typeof deadline === "string" ? Number(deadline) : DEFAULT_DEADLINE_MS;
      for (const [, c] of configurations())
        for (const w of c.webhooks) expect(ms).toBeLessThan(w.timeoutSeconds! * 1000);
    });

    it("has a rule for CREATE, UPDATE and DELETE of every resource netpolc serve reviews, and no other", () => {
      for (const [file, c] of configurations()) {
        for (const w of c.webhooks) {
          for (const want of REVIEWED) {
            const rule = w.rules.find(
              (x) =>
                x.apiGroups.includes(want.group) &&
                x.resources.includes(want.resource) &&
                (x.apiVersions ?? []).includes(want.version),
            );
            expect(
              rule,
              `${file}: rule for ${want.group || "core"}/${want.version} ${want.resource}`,
            ).toBeDefined();
            expect(rule!.operations, `${file}: ${want.resource}`).toEqual(
              expect.arrayContaining(["CREATE", "UPDATE", "DELETE"]),
            );
            expect([
              "*",
              want.namespaced ? "Namespaced" : "Cluster",
              ...(rule!.scope === undefined ? [undefined] : []),
            ]).toContain(rule!.scope);
          }
          const granted = w.rules.flatMap((x) =>
            x.apiGroups.flatMap((g) => x.resources.map((res) => `${g}/${res}`)),
          );
          expect(new Set(granted), `${file}: exactly the reviewed resources`).toEqual(
            new Set(REVIEWED.map((x) => `${x.group}/${x.resource}`)),
          );
          for (const x of w.rules) {
            expect(
              x.operations!.every((o) => ["CREATE", "UPDATE", "DELETE"].includes(o)),
              file,
            ).toBe(true);
          }
        }
      }
    });

    it("excludes netpolc-system (the webhook's own pods) and kube-system by namespace name", () => {
      for (const [file, c] of configurations()) {
        for (const w of c.webhooks) {
          const expr = (w.namespaceSelector?.matchExpressions ?? []).find(
            (e) => e.key === "kubernetes.io/metadata.name" && e.operator === "NotIn",
          );
          expect(expr, file).toBeDefined();
          expect(expr!.values).toEqual(expect.arrayContaining([NAMESPACE, "kube-system"]));
          expect(expr!.values).toContain(deployment().metadata.namespace);
          const ns = (name: string) => ({ "kubernetes.io/metadata.name": name });
          expect(matches(w.namespaceSelector!, ns(NAMESPACE))).toBe(false);
          expect(matches(w.namespaceSelector!, ns("kube-system"))).toBe(false);
          expect(matches(w.namespaceSelector!, ns("payments"))).toBe(true);
          expect(w.objectSelector, file).toBeUndefined();
        }
      }
    });

    it("has well-formed CEL matchConditions, one excluding the webhook's own service account", () => {
      const sa = `system:serviceaccount:${NAMESPACE}:${deployment().spec.template.spec.serviceAccountName}`;
      for (const [file, c] of configurations()) {
        for (const w of c.webhooks) {
          const conditions = w.matchConditions ?? [];
          expect(conditions.length, file).toBeGreaterThan(0);
          expect(conditions.length, file).toBeLessThanOrEqual(64);
          expect(new Set(conditions.map((m) => m.name)).size, `${file}: unique names`).toBe(
            conditions.length,
          );
          for (const m of conditions) {
            expect(m.name).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
            expect(celSyntaxProblem(m.expression), `${file}: ${m.name}: ${m.expression}`).toBeUndefined();
            expect(m.expression).toMatch(/\brequest\./);
          }
          expect(
            conditions.some((m) => m.expression.includes(`'${sa}'`) && m.expression.includes("!=")),
            file,
          ).toBe(true);
        }
      }
    });

    it("calls the Service netpolc-webhook on /validate, on one of its ports", () => {
      const svc = service();
      for (const [file, c] of configurations()) {
        for (const w of c.webhooks) {
          expect(w.clientConfig.url, file).toBeUndefined();
          const s = w.clientConfig.service!;
          expect(s).toMatchObject({
            namespace: svc.metadata.namespace,
            name: svc.metadata.name,
            path: "/validate",
          });
          expect(svc.spec.ports.map((p) => p.port)).toContain(s.port ?? 443);
        }
      }
    });

    it("the template's caBundle is the CA_BUNDLE placeholder; the cert-manager copy has it injected", () => {
      const base = one<WebhookConfiguration>("validating-webhook.yaml", "ValidatingWebhookConfiguration");
      const cm = one<WebhookConfiguration>(
        "cert-manager/validating-webhook.yaml",
        "ValidatingWebhookConfiguration",
      );
      expect(base.webhooks.map((w) => w.clientConfig.caBundle)).toEqual([PLACEHOLDER]);
      expect(cm.webhooks.map((w) => w.clientConfig.caBundle)).toEqual([undefined]);
      const from = cm.metadata.annotations?.["cert-manager.io/inject-ca-from"];
      expect(from).toBeDefined();
      const [ns, name] = from!.split("/");
      const cert = one<Obj & { spec: { secretName: string } }>(
        "cert-manager/certificate.yaml",
        "Certificate",
        name,
      );
      expect(cert.metadata.namespace).toBe(ns);
      // Otherwise the same registration.
      const strip = (c: WebhookConfiguration) => ({
        ...c,
        metadata: { ...c.metadata, annotations: undefined },
        webhooks: c.webhooks.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle: undefined } })),
      });
      expect(strip(cm)).toEqual(strip(base));
    });
  });

  describe("RBAC", () => {
    const role = () => one<Obj & { rules: Rule[] }>("rbac.yaml", "ClusterRole");

    it("the ClusterRole grants get, list and watch on every watched resource", () => {
      for (const want of WATCHED) {
        const verbs = role()
          .rules.filter((x) => x.apiGroups.includes(want.group) && x.resources.includes(want.resource))
          .flatMap((x) => x.verbs ?? []);
        expect(verbs, `${want.group || "core"} ${want.resource}`).toEqual(
          expect.arrayContaining(["get", "list", "watch"]),
        );
      }
    });

    it("and nothing else: no other resource, no write verb, no wildcard", () => {
      const granted = role().rules.flatMap((x) =>
        x.apiGroups.flatMap((g) => x.resources.map((res) => `${g}/${res}`)),
      );
      expect(new Set(granted)).toEqual(new Set(WATCHED.map((x) => `${x.group}/${x.resource}`)));
      for (const x of role().rules) {
        expect(
          x.verbs!.every((v) => ["get", "list", "watch"].includes(v)),
          JSON.stringify(x),
        ).toBe(true);
        expect([...x.apiGroups, ...x.resources, ...x.verbs!]).not.toContain("*");
        expect(Object.keys(x).sort()).toEqual(["apiGroups", "resources", "verbs"]);
      }
    });

    it("the ClusterRoleBinding binds it to the Deployment's service account", () => {
      const sa = deployment().spec.template.spec.serviceAccountName;
      expect(one("rbac.yaml", "ServiceAccount", sa).metadata.namespace).toBe(NAMESPACE);
      const binding = one<
        Obj & {
          roleRef: { kind: string; name: string };
          subjects: { kind: string; name: string; namespace: string }[];
        }
      >("rbac.yaml", "ClusterRoleBinding");
      expect(binding.roleRef).toMatchObject({ kind: "ClusterRole", name: role().metadata.name });
      expect(binding.subjects).toContainEqual({ kind: "ServiceAccount", name: sa, namespace: NAMESPACE });
    });
  });

  describe("Deployment", () => {
    it("runs 2 replicas of the placeholder image, as the service account", () => {
      const d = deployment();
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.template.spec.containers).toHaveLength(1);
      expect(container().image).toBe("ghcr.io/netpolc/netpolc:0.1.0");
      expect(container().command, "the image's entry point is netpolc").toBeUndefined();
      expect(matches(d.spec.selector, d.spec.template.metadata.labels)).toBe(true);
    });

    it("passes `netpolc serve` only options it has, with the documented arguments", () => {
      const args = serveArgs(container().args);
      expect(container().args).toEqual([
        "serve",
        "--in-cluster",
        "--guarantees",
        "/etc/netpolc/guarantees.ng",
        "--tls-cert",
        "/etc/netpolc/tls/tls.crt",
        "--tls-key",
        "/etc/netpolc/tls/tls.key",
        "--port",
        "8443",
        "--mode",
        "enforce",
      ]);
      const sources = ["--snapshot", "--kubeconfig", "--in-cluster"].filter((f) => args.has(f));
      expect(sources).toEqual(["--in-cluster"]);
      for (const f of ["--guarantees", "--tls-cert", "--tls-key"]) expect(args.has(f), f).toBe(true);
    });

    it.runIf(SERVE_HELP !== undefined)(
      "the built CLI's `serve --help` lists every documented option, with the Deployment's values among its choices",
      () => {
        const help = SERVE_HELP!;
        const options = help.slice(help.indexOf("Options:"));
        for (const flag of Object.keys(SERVE_OPTIONS)) {
          expect(options, `netpolc serve --help lacks ${flag}`).toMatch(
            new RegExp(`(^|[\\s,])${flag}(?![-\\w])`, "m"),
          );
        }
        for (const [flag, value] of serveArgs(container().args)) {
          const at = options.search(new RegExp(`(^|[\\s,])${flag}(?![-\\w])`, "m"));
          const rest = options.slice(at + 1);
          const entry = rest.slice(0, rest.search(/\n\s+-/) < 0 ? undefined : rest.search(/\n\s+-/));
          const choices = /choices: ([^)]*)/.exec(entry.replace(/\s+/g, " "));
          if (choices && typeof value === "string")
            expect(choices[1], `${flag} ${value}`).toContain(`"${value}"`);
        }
      },
    );

    it("the guarantees and the TLS files come from the ConfigMap and the Secret netpolc-webhook-tls", () => {
      const args = serveArgs(container().args);
      const configMap = one<Obj & { data: Record<string, string> }>("guarantees-configmap.yaml", "ConfigMap");
      const g = fileSource(args.get("--guarantees") as string);
      expect(g).toMatchObject({ kind: "ConfigMap", name: configMap.metadata.name, key: "guarantees.ng" });
      expect(configMap.data).toHaveProperty("guarantees.ng");
      const cert = args.get("--tls-cert") as string;
      const key = args.get("--tls-key") as string;
      expect(fileSource(cert)).toMatchObject({ kind: "Secret", name: "netpolc-webhook-tls", key: "tls.crt" });
      expect(fileSource(key)).toMatchObject({ kind: "Secret", name: "netpolc-webhook-tls", key: "tls.key" });
      // The server reloads the pair when the directory of --tls-cert changes: that directory must be
      // the Secret volume's own root (where the kubelet swaps `..data` on rotation), not a subPath
      // (never updated) nor a subdirectory inside a volume (replaced whole on rotation).
      for (const file of [cert, key]) {
        const { mount } = fileSource(file)!;
        expect(mount.subPath, file).toBeUndefined();
        expect(`${mount.mountPath.replace(/\/$/, "")}/${file.split("/").pop()}`, file).toBe(file);
      }
      // cert-manager issues into the same Secret.
      const certs = (DOCS.get("cert-manager/certificate.yaml") ?? []).filter((o) => o.kind === "Certificate");
      expect(certs.map((c) => (c as Obj & { spec: { secretName: string } }).spec.secretName)).toContain(
        "netpolc-webhook-tls",
      );
    });

    it("probes /readyz (readiness) and /healthz (liveness) over HTTPS on the serving port", () => {
      const port = Number(serveArgs(container().args).get("--port"));
      const c = container();
      expect(c.readinessProbe?.httpGet).toMatchObject({ path: "/readyz", scheme: "HTTPS" });
      expect(c.livenessProbe?.httpGet).toMatchObject({ path: "/healthz", scheme: "HTTPS" });
      expect(containerPort(c.readinessProbe!.httpGet!.port)).toBe(port);
      expect(containerPort(c.livenessProbe!.httpGet!.port)).toBe(port);
      expect(c.ports.map((p) => p.containerPort)).toEqual([port]);
    });

    it("runs as non-root, read-only, with no capabilities, and has resources", () => {
      const pod = deployment().spec.template.spec.securityContext ?? {};
      const c = container().securityContext ?? {};
      expect(c.runAsNonRoot ?? pod.runAsNonRoot).toBe(true);
      expect(c.runAsUser ?? pod.runAsUser).toBeGreaterThan(0);
      expect(c.readOnlyRootFilesystem).toBe(true);
      expect(c.allowPrivilegeEscalation).toBe(false);
      expect(c.privileged ?? false).toBe(false);
      expect(c.capabilities?.drop).toContain("ALL");
      expect(c.capabilities?.add ?? []).toEqual([]);
      const res = container().resources;
      expect(res?.requests).toHaveProperty("cpu");
      expect(res?.requests).toHaveProperty("memory");
      expect(res?.limits).toHaveProperty("memory");
    });

    it("has a PodDisruptionBudget over its pods that leaves one up", () => {
      const pdb = one<
        Obj & { spec: { selector: LabelSelector; minAvailable?: number; maxUnavailable?: number } }
      >("deployment.yaml", "PodDisruptionBudget");
      expect(pdb.apiVersion).toBe("policy/v1");
      expect(matches(pdb.spec.selector, deployment().spec.template.metadata.labels)).toBe(true);
      if (pdb.spec.minAvailable !== undefined) {
        expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
        expect(pdb.spec.minAvailable).toBeLessThan(deployment().spec.replicas);
      } else expect(pdb.spec.maxUnavailable).toBe(1);
    });
  });

  it("the Service sends 443 to the pods' serving port 8443", () => {
    const svc = service();
    expect(matches({ matchLabels: svc.spec.selector }, deployment().spec.template.metadata.labels)).toBe(
      true,
    );
    expect(svc.spec.ports).toHaveLength(1);
    expect(svc.spec.ports[0]!.port).toBe(443);
    expect(containerPort(svc.spec.ports[0]!.targetPort)).toBe(8443);
    expect(serveArgs(container().args).get("--port")).toBe("8443");
  });

  it("the ConfigMap holds fixtures/demo/guarantees.ng verbatim", () => {
    const configMap = one<Obj & { data: Record<string, string> }>("guarantees-configmap.yaml", "ConfigMap");
    expect(configMap.data["guarantees.ng"]).toBe(
      readFileSync(join(ROOT, "fixtures", "demo", "guarantees.ng"), "utf8"),
    );
  });

  it("the cert-manager Certificate names the Service, from a CA issuer", () => {
    const cert = one<
      Obj & { spec: { dnsNames: string[]; secretName: string; issuerRef: { kind: string; name: string } } }
    >("cert-manager/certificate.yaml", "Certificate", "netpolc-webhook");
    expect(cert.spec.dnsNames).toEqual(expect.arrayContaining(SERVICE_NAMES));
    expect(cert.spec.secretName).toBe("netpolc-webhook-tls");
    const issuer = one<Obj & { spec: { ca?: { secretName: string } } }>(
      "cert-manager/certificate.yaml",
      cert.spec.issuerRef.kind,
      cert.spec.issuerRef.name,
    );
    const caCert = (DOCS.get("cert-manager/certificate.yaml") ?? []).find(
      (o) =>
        o.kind === "Certificate" &&
        (o as Obj & { spec: { secretName: string } }).spec.secretName === issuer.spec.ca?.secretName,
    ) as (Obj & { spec: { isCA?: boolean } }) | undefined;
    expect(caCert?.spec.isCA).toBe(true);
  });

  it("the kustomizations list existing files; the base has everything but the webhook template", () => {
    const base = one<Obj & { resources: string[] }>("kustomization.yaml", "Kustomization");
    for (const f of base.resources) expect(existsSync(join(DEPLOY, f)), f).toBe(true);
    const topLevel = [...DOCS.keys()].filter((f) => !f.includes("/"));
    expect(new Set(base.resources)).toEqual(
      new Set(topLevel.filter((f) => f !== "kustomization.yaml" && f !== "validating-webhook.yaml")),
    );
    const cm = one<Obj & { resources: string[] }>("cert-manager/kustomization.yaml", "Kustomization");
    expect(new Set(cm.resources)).toEqual(new Set(["certificate.yaml", "validating-webhook.yaml"]));
  });

  const kubectl = which("kubectl");
  it.runIf(kubectl !== undefined)(
    "`kubectl kustomize` builds both kustomizations (when kubectl is installed)",
    () => {
      const kinds = (dir: string) =>
        (loadAll(execFileSync(kubectl!, ["kustomize", dir], { encoding: "utf8" })) as Obj[])
          .map((o) => o.kind)
          .sort();
      expect(kinds(DEPLOY)).toEqual([
        "ClusterRole",
        "ClusterRoleBinding",
        "ConfigMap",
        "Deployment",
        "Namespace",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
      ]);
      expect(kinds(join(DEPLOY, "cert-manager"))).toEqual([
        "Certificate",
        "Certificate",
        "Issuer",
        "Issuer",
        "ValidatingWebhookConfiguration",
      ]);
    },
  );
});

// --- (b) gen-certs.sh ---------------------------------------------------------------------------------

describe("deploy/gen-certs.sh", () => {
  const root = mkdtempSync(join(tmpdir(), "netpolc-certs-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const out = join(root, "certs");
  const bash = which("bash") ?? "/bin/bash";

  function gen(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = root) {
    return spawnSync(bash, [SCRIPT, ...args], {
      cwd,
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
  }
  const read = (dir: string, f: string) => readFileSync(join(dir, f), "utf8");

  let first: ReturnType<typeof gen>;
  beforeAll(() => {
    first = gen(["--san", "127.0.0.1", out], { EXTRA_SANS: "localhost" });
  });

  it("runs (it needs openssl, and says so when it is missing)", () => {
    expect(first.status, `${first.stderr}${first.stdout}`).toBe(0);
    for (const f of ["ca.crt", "ca.key", "tls.crt", "tls.key", "validating-webhook.yaml"]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(statSync(join(out, "tls.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, "ca.key")).mode & 0o777).toBe(0o600);
  });

  it("prints how to create the Secret and apply the registration", () => {
    expect(first.stdout).toContain("kubectl -n netpolc-system create secret tls netpolc-webhook-tls");
    expect(first.stdout).toContain(`--cert=${join(out, "tls.crt")} --key=${join(out, "tls.key")}`);
    expect(first.stdout).toContain(`kubectl apply -f ${join(out, "validating-webhook.yaml")}`);
  });

  it("the serving certificate verifies against the CA (openssl verify)", () => {
    const verified = execFileSync(
      "openssl",
      ["verify", "-CAfile", join(out, "ca.crt"), join(out, "tls.crt")],
      {
        encoding: "utf8",
      },
    );
    expect(verified.trim()).toBe(`${join(out, "tls.crt")}: OK`);
  });

  it("carries the Service's names and the extra SANs (flag and EXTRA_SANS)", () => {
    const sans = execFileSync(
      "openssl",
      ["x509", "-noout", "-ext", "subjectAltName", "-in", join(out, "tls.crt")],
      {
        encoding: "utf8",
      },
    );
    for (const name of [...SERVICE_NAMES, "localhost"])
      expect(sans).toMatch(new RegExp(`DNS:${name.replace(/\./g, "\\.")}(,|\\s|$)`));
    expect(sans).toContain("IP Address:127.0.0.1");
    const leaf = new X509Certificate(read(out, "tls.crt"));
    const ca = new X509Certificate(read(out, "ca.crt"));
    expect(leaf.checkHost("netpolc-webhook.netpolc-system.svc")).toBe("netpolc-webhook.netpolc-system.svc");
    expect(leaf.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(leaf.checkHost("netpolc-webhook.other.svc")).toBeUndefined();
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.keyUsage).toContain("1.3.6.1.5.5.7.3.1"); // serverAuth
    expect(leaf.subject).toBe("CN=netpolc-webhook.netpolc-system.svc");
  });

  it("renders the registration with the base64 of ca.crt as its caBundle, the rest as the template", () => {
    const text = read(out, "validating-webhook.yaml");
    expect(text).not.toContain(PLACEHOLDER);
    const [rendered, ...more] = loadAll(text) as WebhookConfiguration[];
    expect(more).toEqual([]);
    const bundle = rendered!.webhooks[0]!.clientConfig.caBundle!;
    expect(bundle).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(bundle, "base64").toString("utf8")).toBe(read(out, "ca.crt"));
    const template = one<WebhookConfiguration>("validating-webhook.yaml", "ValidatingWebhookConfiguration");
    const withBundle = (c: WebhookConfiguration, caBundle: string) => ({
      ...c,
      webhooks: c.webhooks.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle } })),
    });
    expect(rendered).toEqual(withBundle(template, bundle));
  });

  it("keeps the CA on a second run (the caBundle stays), and makes a new one with --new-ca", () => {
    const dir = join(root, "renew");
    expect(gen([dir]).status).toBe(0);
    const ca = read(dir, "ca.crt");
    const leaf = read(dir, "tls.crt");
    const webhook = read(dir, "validating-webhook.yaml");
    const again = gen([dir]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain("Reusing the CA");
    expect(read(dir, "ca.crt")).toBe(ca);
    expect(read(dir, "tls.crt")).not.toBe(leaf);
    expect(read(dir, "validating-webhook.yaml")).toBe(webhook);
    expect(new X509Certificate(read(dir, "tls.crt")).checkIssued(new X509Certificate(ca))).toBe(true);

    expect(gen(["--new-ca", dir]).status).toBe(0);
    expect(read(dir, "ca.crt")).not.toBe(ca);
    expect(read(dir, "validating-webhook.yaml")).not.toBe(webhook);

    rmSync(join(dir, "ca.key"));
    const half = gen([dir]);
    expect(half.status).toBe(1);
    expect(half.stderr).toContain("only one of ca.crt and ca.key");
  });

  it("writes to ./certs by default", () => {
    const cwd = join(root, "default");
    mkdirSync(cwd);
    const run = gen([], {}, cwd);
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(cwd, "certs", "tls.crt"))).toBe(true);
  });

  it("has a usage message and exit codes: 0 help, 2 usage errors, 3 without openssl", () => {
    const help = gen(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: gen-certs\.sh/);
    for (const bad of [["--bogus"], ["--san"], ["--san", "a,b"], ["--days", "0"], ["a", "b"]]) {
      const run = gen(bad);
      expect(run.status, bad.join(" ")).toBe(2);
      expect(run.stderr).toContain("gen-certs.sh: ");
    }
    const empty = join(root, "no-tools");
    mkdirSync(empty);
    const without = gen([join(root, "unused")], { PATH: empty });
    expect(without.status).toBe(3);
    expect(without.stderr).toContain("openssl not found");
    expect(existsSync(join(root, "unused"))).toBe(false);
  });

  describe("TLS with a Node HTTPS server", () => {
    let server: Server;
    let port: number;
    const other = join(root, "other");

    beforeAll(async () => {
      expect(gen([other]).status).toBe(0); // a second, unrelated CA
      server = createServer({ key: read(out, "tls.key"), cert: read(out, "tls.crt") }, (req, res) => {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end(`ok ${req.method} ${req.url}`);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    /** A TLS handshake with the server: "authorized", or the client's error code. */
    function handshake(options: { ca?: string; servername?: string }): Promise<string> {
      return new Promise((resolve) => {
        const socket = connect({ host: "127.0.0.1", port, ...options, timeout: 10_000 });
        socket.once("secureConnect", () => {
          resolve(socket.authorized ? "authorized" : `unauthorized: ${socket.authorizationError}`);
          socket.end();
        });
        socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        socket.once("timeout", () => {
          resolve("timeout");
          socket.destroy();
        });
      });
    }

    it("an HTTPS client trusting only ca.crt gets through (127.0.0.1 SAN)", async () => {
      const body = await new Promise<string>((resolve, reject) => {
        get({ host: "127.0.0.1", port, path: "/healthz", ca: read(out, "ca.crt"), agent: false }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => resolve(`${res.statusCode} ${text}`));
        }).on("error", reject);
      });
      expect(body).toBe("200 ok GET /healthz");
    });

    it("as does a client asking for the name the API server uses, or for localhost", async () => {
      const ca = read(out, "ca.crt");
      expect(await handshake({ ca, servername: "netpolc-webhook.netpolc-system.svc" })).toBe("authorized");
      expect(await handshake({ ca, servername: "localhost" })).toBe("authorized");
    });

    it("a client trusting another CA, or the default roots, fails the handshake", async () => {
      expect(await handshake({ ca: read(other, "ca.crt") })).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
      expect(await handshake({})).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    });

    it("a client asking for a name the certificate lacks fails the handshake", async () => {
      expect(await handshake({ ca: read(out, "ca.crt"), servername: "netpolc-webhook.default.svc" })).toBe(
        "ERR_TLS_CERT_ALTNAME_INVALID",
      );
    });
  });
});
