/**
 * Services and what routes traffic to them, as netpolc reads them: Service, Endpoints and
 * EndpointSlice (core/v1, discovery.k8s.io/v1), Ingress (networking.k8s.io/v1) and OpenShift Route
 * (route.openshift.io/v1). Field names follow the upstream API types.
 */
import type { SourceRef } from "../common/index.js";
import type { Labels, ObjectMeta, Protocol } from "./k8s.js";

interface Located {
  readonly apiVersion: string;
  readonly metadata: ObjectMeta;
  readonly source: SourceRef;
  readonly locate: (path: readonly (string | number)[]) => SourceRef;
}

export interface ServicePortSpec {
  readonly name?: string;
  readonly protocol?: Protocol;
  readonly appProtocol?: string;
  readonly port: number;
  /** Number or a container port name; absent (or written 0 or ""): the same as `port`. */
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

export interface ServiceObject extends Located {
  readonly kind: "Service";
  readonly spec: {
    readonly type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
    readonly selector?: Labels;
    readonly ports?: readonly ServicePortSpec[];
    /** "None" for a headless Service. */
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly ipFamilies?: readonly ("IPv4" | "IPv6")[];
    readonly ipFamilyPolicy?: "SingleStack" | "PreferDualStack" | "RequireDualStack";
    readonly externalName?: string;
    readonly externalIPs?: readonly string[];
    readonly loadBalancerSourceRanges?: readonly string[];
    readonly sessionAffinity?: "None" | "ClientIP";
    readonly externalTrafficPolicy?: "Cluster" | "Local";
    readonly internalTrafficPolicy?: "Cluster" | "Local";
    readonly publishNotReadyAddresses?: boolean;
  };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[];
    };
  };
}

export interface EndpointSliceObject extends Located {
  readonly kind: "EndpointSlice";
  readonly addressType: "IPv4" | "IPv6" | "FQDN";
  readonly endpoints?: readonly {
    readonly addresses: readonly string[];
    readonly conditions?: {
      readonly ready?: boolean;
      readonly serving?: boolean;
      readonly terminating?: boolean;
    };
    readonly nodeName?: string;
    readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string };
  }[];
  readonly ports?: readonly {
    readonly name?: string;
    readonly protocol?: Protocol;
    readonly port?: number;
  }[];
}

export interface EndpointsObject extends Located {
  readonly kind: "Endpoints";
  readonly subsets?: readonly {
    readonly addresses?: readonly {
      readonly ip: string;
      readonly nodeName?: string;
      readonly targetRef?: { readonly kind?: string; readonly name?: string };
    }[];
    readonly notReadyAddresses?: readonly { readonly ip: string }[];
    readonly ports?: readonly {
      readonly name?: string;
      readonly protocol?: Protocol;
      readonly port: number;
    }[];
  }[];
}

export interface IngressBackendSpec {
  readonly service?: {
    readonly name: string;
    readonly port?: { readonly number?: number; readonly name?: string };
  };
  /** A custom resource (not a Service) the ingress controller serves; not modelled (NP2021). */
  readonly resource?: { readonly apiGroup?: string; readonly kind: string; readonly name: string };
}

export interface IngressObject extends Located {
  readonly kind: "Ingress";
  readonly spec: {
    readonly ingressClassName?: string;
    readonly defaultBackend?: IngressBackendSpec;
    readonly rules?: readonly {
      readonly host?: string;
      readonly http?: {
        readonly paths: readonly {
          readonly path?: string;
          readonly pathType?: string;
          readonly backend: IngressBackendSpec;
        }[];
      };
    }[];
  };
}

export interface RouteObject extends Located {
  readonly kind: "Route";
  readonly spec: {
    readonly host?: string;
    readonly to: { readonly kind?: string; readonly name: string; readonly weight?: number };
    readonly alternateBackends?: readonly {
      readonly kind?: string;
      readonly name: string;
      readonly weight?: number;
    }[];
    /** The Service port (number or name) — targetPort in Route's own naming. */
    readonly port?: { readonly targetPort: number | string };
  };
}

export type ServiceKindObject =
  | ServiceObject
  | EndpointSliceObject
  | EndpointsObject
  | IngressObject
  | RouteObject;
