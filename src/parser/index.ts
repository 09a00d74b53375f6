export * from "./k8s.js";
export * from "./k8s-cluster-policy.js";
