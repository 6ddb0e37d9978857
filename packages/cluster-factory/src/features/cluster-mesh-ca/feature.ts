import { TerraformData } from '../../lib/private/terraform-data.js';
import { ciliumEnabledBy } from '../../networking/decision.js';
import { kubectlScript } from '../../lib/private/kubernetes-providers.js';
import { meshCaImportCommands } from '../../cluster-mesh/mesh-ca.js';
import { defineFeature } from '../feature.js';

/**
 * The Cluster Mesh CA, on clusters of a Cluster Mesh (multi-region plan): the Secrets Manager
 * secret every cluster of the mesh shares (JSON `{cert, key}`) is imported as the `cilium-ca`
 * Secret before Cilium installs, so the chart signs its certificates with it; the key never
 * enters Terraform state.
 */
export const feature = defineFeature({
  name: 'cluster-mesh-ca',
  // A region of a multi-region config (its cluster_mesh) with Cilium.
  enabledIn: (config: { readonly cluster_mesh?: { readonly enabled?: boolean }; readonly enable_cilium: boolean; readonly enable_fargate: boolean }): boolean =>
    config.cluster_mesh?.enabled === true && ciliumEnabledBy(config),
  plan: (_config: unknown, { core, clusterMesh }) => (core.cilium ? clusterMesh?.caSecret : undefined),
  stack: 'cni',
  // Its resource kept its address when it became a module.
  constructScope: 'stack',
  cni: (plan, { scope, cluster }) => [
    new TerraformData(scope, 'cluster-mesh-ca', {
      triggersReplace: { secret: plan.secretId },
      provisioners: [
        {
          type: 'local-exec',
          interpreter: ['/bin/bash', '-c'],
          command: kubectlScript(meshCaImportCommands()),
          environment: {
            CLUSTER_NAME: cluster.clusterName,
            AWS_REGION: cluster.region,
            CA_SECRET_ID: plan.secretId,
            CA_SECRET_REGION: plan.region,
          },
        },
      ],
    }),
  ],
});
