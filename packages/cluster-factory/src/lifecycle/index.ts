// Versions over time, without the construct library: the EKS calendar, what each pinned
// component supports, the EKS add-on pins. Light enough for tools (`@cilium-eks/cluster-factory/lifecycle`).
export * from './eks-calendar.js';
export * from './kubernetes-support.js';
export * from './compatibility.js';
export * from './components-in-use.js';
export * from './eks-addons.js';
