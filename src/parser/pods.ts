/**
 * Pod and workload value checks (k8s.io/kubernetes/pkg/apis/core/validation and apps/validation),
 * limited to what netpolc reads: labels, container ports, hostNetwork, pod IPs, the workload
 * selector against its template. A workload selector that does not select its template is an error
 * that costs nothing (loss.ts): the pods are the template's, whatever the selector says, and the
 * model reads only the template.
 */
import { parseIp } from "./cidr.js";
import { checkLabels, checkSelector, selectorMatches } from "./labels.js";
import { ianaSvcName } from "./names.js";
import { checkProtocol, portNumberProblem } from "./netpol.js";
import { isPlainObject, type PathSegment } from "./positions.js";
import type { Report } from "./report.js";

export function checkPod(r: Report, body: Record<string, unknown>): void {
  checkPodSpec(r, body.spec, ["spec"]);
  const status = body.status;
  if (!isPlainObject(status)) return;
  checkIp(r, status.podIP, ["status", "podIP"]);
  checkIp(r, status.hostIP, ["status", "hostIP"]);
  for (const list of ["podIPs", "hostIPs"] as const) {
    const items = status[list];
    if (Array.isArray(items))
      items.forEach((it: unknown, i) => {
        if (isPlainObject(it)) checkIp(r, it.ip, ["status", list, i, "ip"]);
      });
  }
}

function checkIp(r: Report, ip: unknown, path: readonly PathSegment[]): void {
  if (typeof ip !== "string" || ip === "") return;
  if (!parseIp(ip)) r.error("NP2007", path, `invalid IP address ${JSON.stringify(ip)}`);
}

function checkPodSpec(r: Report, spec: unknown, path: readonly PathSegment[]): void {
  if (!isPlainObject(spec)) return;
  const names = new Set<string>();
  for (const group of ["containers", "initContainers"] as const) {
    const containers = spec[group];
    if (!Array.isArray(containers)) continue;
    containers.forEach((c: unknown, i) => {
      if (!isPlainObject(c) || !Array.isArray(c.ports)) return;
      c.ports.forEach((p: unknown, j) => {
        checkContainerPort(r, p, [...path, group, i, "ports", j], names);
      });
    });
  }
}

function checkContainerPort(r: Report, p: unknown, path: readonly PathSegment[], names: Set<string>): void {
  if (!isPlainObject(p)) return;
  if (typeof p.containerPort === "number") {
    const bad = portNumberProblem(p.containerPort);
    if (bad) r.error("NP2009", [...path, "containerPort"], bad);
  }
  if (typeof p.hostPort === "number" && p.hostPort !== 0) {
    const bad = portNumberProblem(p.hostPort);
    if (bad) r.error("NP2009", [...path, "hostPort"], bad);
  }
  if (typeof p.name === "string") {
    const bad = ianaSvcName(p.name);
    if (bad) r.error("NP2009", [...path, "name"], `invalid port name ${JSON.stringify(p.name)}: ${bad}`);
    else if (names.has(p.name))
      r.error(
        "NP2009",
        [...path, "name"],
        `port name ${JSON.stringify(p.name)} is already used in this pod`,
        "port names must be unique across the pod's containers",
      );
    else names.add(p.name);
  }
  checkProtocol(r, p.protocol, [...path, "protocol"]);
}

const APPS = ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"];

export function checkWorkload(r: Report, kind: string, body: Record<string, unknown>): void {
  const spec = body.spec;
  if (!isPlainObject(spec)) return;
  const tPath = kind === "CronJob" ? ["spec", "jobTemplate", "spec", "template"] : ["spec", "template"];
  const owner =
    kind === "CronJob" && isPlainObject(spec.jobTemplate) && isPlainObject(spec.jobTemplate.spec)
      ? spec.jobTemplate.spec
      : spec;
  const sPath = kind === "CronJob" ? ["spec", "jobTemplate", "spec", "selector"] : ["spec", "selector"];
  const template = owner.template;
  const labels =
    isPlainObject(template) && isPlainObject(template.metadata) ? template.metadata.labels : undefined;
  if (isPlainObject(template)) {
    checkLabels(r, labels, [...tPath, "metadata", "labels"]);
    checkPodSpec(r, template.spec, [...tPath, "spec"]);
  }
  const selector = owner.selector;
  if (!isPlainObject(selector)) return;
  const templateLabels = isPlainObject(labels) ? labels : {};
  if (kind === "ReplicationController") {
    checkLabels(r, selector, sPath);
    const ok = Object.entries(selector).every(([k, v]) => templateLabels[k] === v);
    if (ok || !isPlainObject(template)) return;
    r.error(
      "NP2005",
      sPath,
      "selector does not match the template labels",
      "the pod template must carry every selector label",
      "none",
    );
    return;
  }
  const before = r.diagnostics.length;
  checkSelector(r, selector, sPath);
  if (r.diagnostics.length > before || !isPlainObject(template)) return;
  if (APPS.includes(kind) && Object.keys(selector).every((k) => isEmpty(selector[k])))
    r.error(
      "NP2005",
      sPath,
      `an empty selector is invalid for a ${kind}`,
      "select the template's labels with matchLabels",
      "none",
    );
  else if (!selectorMatches(selector, templateLabels))
    r.error(
      "NP2005",
      sPath,
      "selector does not match the template labels",
      "the pod template's labels must satisfy the selector",
      "none",
    );
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    (Array.isArray(v) && v.length === 0) ||
    (isPlainObject(v) && Object.keys(v).length === 0)
  );
}
