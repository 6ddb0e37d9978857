import type { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { EnvironmentStack, type StackSettings } from './environment-stack.js';
import type { ClusterAccess } from './cluster-access.js';
import type { FeatureCni } from '../features/built-in.js';
import { SPIRE_STORAGE_CLASS } from '../features/spire/storage-class.js';

// The Gateway API CRDs' URL and SPIRE's StorageClass live with their feature modules.
export { gatewayApiCrdsUrl } from '../features/gateway-api/versions.js';
export { SPIRE_STORAGE_CLASS };

export interface CniStackProps {
  readonly settings: StackSettings;
  readonly cluster: ClusterAccess;
  /**
   * The built-in features of the CNI stack, in the order featureCnis gives: what Cilium needs
   * before it starts (the Gateway API CRDs, the Cluster Mesh CA imported from Secrets Manager,
   * SPIRE's StorageClass), then Cilium itself (src/features/cilium/), whose release depends on them.
   */
  readonly features: readonly FeatureCni[];
}

/**
 * Cilium and what it needs first, installed after the control plane and before any node: nodes
 * then join with a CNI ready and never sit NotReady. Nothing here waits for pods (there are no nodes yet).
 */
export class CniStack extends EnvironmentStack {
  /** What each feature created, by feature name, in the order they were created. */
  readonly features: ReadonlyMap<string, readonly ITerraformDependable[]>;

  constructor(scope: Construct, props: CniStackProps) {
    super(scope, 'cni', props.settings, { aws: 'none', kubernetes: props.cluster });
    const created = new Map<string, readonly ITerraformDependable[]>();
    for (const feature of props.features) created.set(feature.name, feature.deploy(this, props.cluster, new Map(created)));
    this.features = created;
  }
}
