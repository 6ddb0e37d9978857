// The built-in features, one line each: `export * as f<NN>_<name> from './<name>/feature.js';`.
// The number orders them (the platform stack installs add-ons in this order, after their
// dependencies; the CNI stack creates its features' resources in it; config keys of the same
// place follow it too); keep two digits.
export * as f00_cilium from './cilium/feature.js';
export * as f01_gatewayApi from './gateway-api/feature.js';
export * as f02_clusterMeshCa from './cluster-mesh-ca/feature.js';
export * as f03_spire from './spire/feature.js';
export * as f04_ebsCsiDriver from './ebs-csi-driver/feature.js';
export * as f10_loadBalancerController from './load-balancer-controller/feature.js';
export * as f20_networkPolicyBaseline from './network-policy-baseline/feature.js';
export * as f30_argocd from './argocd/feature.js';
export * as f40_karpenter from './karpenter/feature.js';
export * as f50_clusterMeshDns from './cluster-mesh-dns/feature.js';
