import type { Construct } from 'constructs';
import { DataKubernetesServiceV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-service-v1';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { ClusterInfo, PlatformAddon } from '../addons/addon.js';

export interface ClusterMeshDnsProps {
  /** The private zone every mesh VPC resolves, e.g. `mesh.multi-region.internal`. */
  readonly zoneName: string;
  /** This cluster's clustermesh API server name in it, e.g. `multi-region-us-west-2.mesh.multi-region.internal`. */
  readonly recordName: string;
}

/**
 * Publishes this cluster's clustermesh API server (an internal NLB whose host name AWS
 * picks) under the stable name its peers were configured with.
 */
export function clusterMeshDnsAddon(props: ClusterMeshDnsProps): PlatformAddon {
  return {
    name: 'cluster-mesh-dns',
    deploy(scope: Construct, _cluster: ClusterInfo): Construct[] {
      const service = new DataKubernetesServiceV1(scope, 'clustermesh-apiserver', { metadata: { name: 'clustermesh-apiserver', namespace: 'kube-system' } });
      const zone = new DataAwsRoute53Zone(scope, 'mesh-zone', { name: props.zoneName, privateZone: true });
      return [
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
