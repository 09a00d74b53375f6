export * from "./k8s.js";
