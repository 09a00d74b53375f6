/**
 * Services, Endpoints, EndpointSlices, Ingresses and Routes: valid manifests parse without
 * diagnostics into typed `objects`, as written (read as the API server defaults them), and the
 * netpol-analyzer corpus's Services, Ingresses and Routes parse without errors, apart from the
 * Services the API server would reject.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type EndpointSliceObject,
  type EndpointsObject,
  type IngressObject,
  loadPaths,
  parseText,
  type RouteObject,
  type ServiceObject,
} from "../../src/parser/index.js";
import { brief, names, service } from "./support/manifests.js";

const VALID = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  type: LoadBalancer
  selector: {app: web}
  clusterIP: 10.96.0.10
  clusterIPs: [10.96.0.10, "fd00::10"]
  ipFamilies: [IPv4, IPv6]
  ipFamilyPolicy: PreferDualStack
  externalIPs: [203.0.113.7]
  loadBalancerSourceRanges: [198.51.100.0/24]
  sessionAffinity: ClientIP
  externalTrafficPolicy: Local
  internalTrafficPolicy: Cluster
  ports:
  - {name: http, port: 80, targetPort: http, nodePort: 30080}
  - {name: https, port: 443, targetPort: 8443, protocol: TCP}
  - {name: dns, port: 53, protocol: UDP}
status:
  loadBalancer:
    ingress: [{ip: 203.0.113.10}, {hostname: lb.example.com}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {clusterIP: None, selector: {app: db}}
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec: {type: ExternalName, externalName: db.example.com., ports: [{port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec:
  ports: [{port: 8080, targetPort: 0}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: manual-1, namespace: shop, labels: {kubernetes.io/service-name: manual}}
addressType: IPv4
endpoints:
- addresses: [10.0.5.1]
  conditions: {ready: true}
  nodeName: node-1
- addresses: [10.0.5.2]
  conditions: {ready: false}
ports:
- {port: 8080, protocol: TCP}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ext-1, namespace: shop, labels: {kubernetes.io/service-name: ext}}
addressType: FQDN
endpoints: [{addresses: [db.example.com]}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: manual, namespace: shop}
subsets:
- addresses: [{ip: 10.0.5.1, nodeName: node-1, targetRef: {kind: Pod, name: m-1}}]
  notReadyAddresses: [{ip: 10.0.5.2}]
  ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: web, port: {number: 80}}}
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: "*.shop.example.com"
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: web, port: {name: https}}}}
      - {pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: shop, namespace: shop}
spec:
  host: shop.apps.example.com
  to: {kind: Service, name: web, weight: 90}
  alternateBackends: [{kind: Service, name: web-canary, weight: 10}]
  port: {targetPort: https}
  tls: {termination: edge}
  wildcardPolicy: None
`;

describe("Services and what routes to them", () => {
  it("parse without diagnostics into typed objects", () => {
    const r = parseText(VALID, "services.yaml");
    expect(brief(r.diagnostics)).toEqual([]);
    expect(r.others).toEqual([]);
    expect(names(r)).toEqual([
      "Service/web",
      "Service/db",
      "Service/ext",
      "Service/manual",
      "EndpointSlice/manual-1",
      "EndpointSlice/ext-1",
      "Endpoints/manual",
      "Ingress/shop",
      "Route/shop",
    ]);
    const [web, db, ext, manual, slice, , eps, ing, rt] = r.objects as [
      ServiceObject,
      ServiceObject,
      ServiceObject,
      ServiceObject,
      EndpointSliceObject,
      EndpointSliceObject,
      EndpointsObject,
      IngressObject,
      RouteObject,
    ];
    expect(web.spec.ports?.[2]).toEqual({ name: "dns", port: 53, protocol: "UDP" });
    expect(web.spec.clusterIPs).toEqual(["10.96.0.10", "fd00::10"]);
    expect(web.status?.loadBalancer?.ingress?.[0]?.ip).toBe("203.0.113.10");
    expect(web.locate(["spec", "ports", 1, "targetPort"])).toMatchObject({ line: 18, column: 30 });
    expect(db.spec).toEqual({ clusterIP: "None", selector: { app: "db" } });
    expect(ext.spec.externalName).toBe("db.example.com.");
    expect(slice.addressType).toBe("IPv4");
    expect(slice.endpoints?.[1]?.conditions?.ready).toBe(false);
    expect(eps.subsets?.[0]?.notReadyAddresses).toEqual([{ ip: "10.0.5.2" }]);
    expect(ing.spec.rules?.[0]?.http?.paths[0]?.backend.service?.port).toEqual({ name: "https" });
    expect(rt.spec.port?.targetPort).toBe("https");
    // A targetPort of 0 is defaulted to the port, as if absent.
    expect(manual.spec.ports?.[0]?.targetPort).toBeUndefined();
  });

  it("a port without targetPort is valid: it targets the port itself", () => {
    const r = parseText(service("selector: {app: web}\nports:\n- {port: 8080}"), "s.yaml");
    expect(brief(r.diagnostics)).toEqual([]);
    expect((r.objects[0] as ServiceObject).spec.ports).toEqual([{ port: 8080 }]);
  });

  it("a selector label value written as a YAML 1.1 boolean is warned about", () => {
    const r = parseText(service("selector: {canary: yes}\nports:\n- {port: 80}"), "s.yaml");
    expect(brief(r.diagnostics)).toEqual(["NP1008 warning 7:22"]);
  });
});

const CORPUS = join(import.meta.dirname, "../conformance/netpol-analyzer/cases");
const SERVICE_KINDS = new Set(["Service", "Endpoints", "EndpointSlice", "Ingress", "Route"]);

/**
 * Services of the corpus the API server would reject, and why. Both give a Service more than one
 * port without naming them ("spec.ports[i].name: Required value"); the error costs nothing, so the
 * ports still reach the model.
 */
const CORPUS_INVALID: Record<string, string[]> = {
  one_ingress_multiple_ports: Array<string>(3).fill("NP2009 Service ingressworld/ingress-world"),
  one_ingress_multiple_services: Array<string>(2).fill("NP2009 Service ingressworld/ingress-world-svc1"),
};

describe("netpol-analyzer corpus: Services, Ingresses and Routes", () => {
  it("every one parses into a typed object, without errors but for the invalid ones", async () => {
    const kinds: Record<string, number> = {};
    const errors: Record<string, string[]> = {};
    for (const c of readdirSync(CORPUS).sort()) {
      const r = await loadPaths([join(CORPUS, c)]);
      for (const o of r.objects) if (SERVICE_KINDS.has(o.kind)) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
      const bad = r.diagnostics.filter(
        (d) => d.severity === "error" && d.object && SERVICE_KINDS.has(d.object.kind),
      );
      if (bad.length > 0)
        errors[c] = bad.map((d) => `${d.code} ${d.object?.kind} ${d.object?.namespace}/${d.object?.name}`);
    }
    expect(kinds).toEqual({ Service: 40, Route: 4, Ingress: 2 });
    expect(errors).toEqual(CORPUS_INVALID);
  });
});
