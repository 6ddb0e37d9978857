import type { Construct } from 'constructs';
import { TerraformData } from '../../lib/private/terraform-data.js';
import { DataKubernetesServiceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { ClusterInfo, PlatformAddon } from '../../addons/addon.js';
import { kubectlScript } from '../../lib/private/kubernetes-providers.js';

export interface ClusterMeshDnsProps {
  /** The private zone every mesh VPC resolves, e.g. `mesh.multi-region.internal`. */
  readonly zoneName: string;
  /** This cluster's clustermesh API server name in it, e.g. `multi-region-us-west-2.mesh.multi-region.internal`. */
  readonly recordName: string;
}

/** How long apply waits for the AWS Load Balancer Controller to give the Service its NLB. */
export const LOAD_BALANCER_WAIT_SECONDS = 600;

/**
 * Shell commands (run by `terraform apply` through kubectlScript) that wait until the
 * clustermesh-apiserver Service has its load balancer's host name: the AWS Load Balancer
 * Controller, installed in the same apply, creates the NLB after its pods start, and the
 * record below reads the name.
 */
export function waitForLoadBalancerCommands(seconds: number = LOAD_BALANCER_WAIT_SECONDS): string {
  return [
    `for _ in $(seq 1 ${seconds / 5}); do`,
    '  host="$(kubectl --kubeconfig "$kubeconfig" -n kube-system get service clustermesh-apiserver -o jsonpath=\'{.status.loadBalancer.ingress[0].hostname}\')"',
    '  if [ -n "$host" ]; then echo "clustermesh-apiserver: $host"; exit 0; fi',
    '  sleep 5',
    'done',
    `echo "clustermesh-apiserver has no load balancer after ${seconds}s: kubectl -n kube-system describe service clustermesh-apiserver; kubectl -n kube-system logs deployment/aws-load-balancer-controller" >&2`,
    'exit 1',
  ].join('\n');
}

/**
 * Publishes this cluster's clustermesh API server (an internal NLB whose host name AWS
 * picks) under the stable name its peers were configured with, once the AWS Load Balancer
 * Controller has created it (the add-on depends on the controller's).
 */
export function clusterMeshDnsAddon(props: ClusterMeshDnsProps): PlatformAddon {
  return {
    name: 'cluster-mesh-dns',
    deploy(scope: Construct, cluster: ClusterInfo): Construct[] {
      const provisioned = new TerraformData(scope, 'clustermesh-apiserver-load-balancer', {
        provisioners: [
          {
            type: 'local-exec',
            interpreter: ['/bin/bash', '-c'],
            command: kubectlScript(waitForLoadBalancerCommands()),
            environment: { CLUSTER_NAME: cluster.clusterName, AWS_REGION: cluster.region },
          },
        ],
      });
      const service = new DataKubernetesServiceV1(scope, 'clustermesh-apiserver', {
        metadata: { name: 'clustermesh-apiserver', namespace: 'kube-system' },
        dependsOn: [provisioned],
      });
      const zone = new DataAwsRoute53Zone(scope, 'mesh-zone', { name: props.zoneName, privateZone: true });
      return [
        provisioned,
        new Route53Record(scope, 'clustermesh-apiserver-record', {
          zoneId: zone.zoneId,
          name: props.recordName,
          type: 'CNAME',
          ttl: 60,
          records: [service.status.get(0).loadBalancer.get(0).ingress.get(0).hostname],
        }),
      ];
    },
  };
}
