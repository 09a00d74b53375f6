/**
 * The Service measurements of the S-services scenario: endpoint resolution of every Service
 * (`serviceEndpoints`), and Service queries (`reachService`) over random (source class, Service
 * port) pairs, as `netpolc eval --to <service>` asks them.
 */
import { type Analysis, reachService, serviceEndpoints } from "../src/model/index.js";
import { Rng } from "./prng.js";

export const SERVICE_QUERIES = 10_000;

export interface EndpointCounts {
  readonly services: number;
  readonly ports: number;
  /** Endpoint targets over all Service ports. */
  readonly endpoints: number;
  /** Selected pods that are no endpoint of a port (not ready, or lacking a named targetPort). */
  readonly problems: number;
  /** Service ports without any endpoint. */
  readonly emptyPorts: number;
}

/** `serviceEndpoints` for every Service of the cluster. */
export function resolveAllEndpoints(a: Analysis): EndpointCounts {
  let ports = 0;
  let endpoints = 0;
  let problems = 0;
  let emptyPorts = 0;
  for (const s of a.cluster.services)
    for (const pe of serviceEndpoints(a.cluster, s)) {
      ports++;
      endpoints += pe.targets.length;
      problems += pe.problems.length;
      if (pe.targets.length === 0) emptyPorts++;
    }
  return { services: a.cluster.services.length, ports, endpoints, problems, emptyPorts };
}

/**
 * `reachService` over SERVICE_QUERIES random (source class, Service, one of its ports) pairs; the
 * checksum counts allowed endpoints so the calls cannot be optimised away. The pairs are drawn
 * before the clock starts.
 */
export function serviceQueries(
  a: Analysis,
  seed: number,
): { ms: number; checksum: number; answered: number } {
  const services = a.cluster.services.filter((s) => s.ports.length > 0);
  if (services.length === 0) return { ms: 0, checksum: 0, answered: 0 };
  const rng = new Rng(seed ^ 0x5e41ce);
  const queries = Array.from({ length: SERVICE_QUERIES }, () => {
    const service = rng.pick(services);
    return { src: rng.int(a.classCount), service, port: rng.pick(service.ports) };
  });
  let checksum = 0;
  let answered = 0;
  const start = process.hrtime.bigint();
  for (const q of queries) {
    const r = reachService(a, q.src, q.service, q.port.port, q.port.protocol);
    if (!r) continue;
    answered++;
    for (const e of r.endpoints) if (e.allowed) checksum++;
  }
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, checksum, answered };
}
