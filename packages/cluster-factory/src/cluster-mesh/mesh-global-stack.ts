import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { TerraformData } from '../lib/private/terraform-data.js';
import { Ec2TransitGateway } from '@cdktf/provider-aws/lib/ec2-transit-gateway';
import { Ec2TransitGatewayVpcAttachment } from '@cdktf/provider-aws/lib/ec2-transit-gateway-vpc-attachment';
import { Ec2TransitGatewayPeeringAttachment } from '@cdktf/provider-aws/lib/ec2-transit-gateway-peering-attachment';
import { Ec2TransitGatewayPeeringAttachmentAccepter } from '@cdktf/provider-aws/lib/ec2-transit-gateway-peering-attachment-accepter';
import { Ec2TransitGatewayRoute } from '@cdktf/provider-aws/lib/ec2-transit-gateway-route';
import { Route } from '@cdktf/provider-aws/lib/route';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { EnvironmentStack, type StackSettings } from '../stacks/environment-stack.js';
import type { NetworkStack } from '../stacks/network-stack.js';

export interface MeshRegion {
  readonly region: string;
  readonly clusterName: string;
  readonly vpcCidr: string;
  readonly network: NetworkStack;
}

export interface MeshGlobalStackProps {
  /** Settings of the environment; `region` is where the shared CA secret lives. */
  readonly settings: StackSettings;
  readonly regions: readonly MeshRegion[];
  /** Private DNS zone of the clustermesh API servers. */
  readonly zoneName: string;
  /** Secrets Manager name of the mesh CA. */
  readonly caSecretName: string;
  /** prevent_destroy on the mesh CA (key and secret) and the private zone. @default false */
  readonly protectStatefulResources?: boolean;
}

/** First private ASN of the Transit Gateways; region i gets BASE_ASN + i. */
export const BASE_TRANSIT_GATEWAY_ASN = 64512;

/**
 * What the clusters of a Cluster Mesh share: a Transit Gateway per region, attached to its
 * VPC and peered with every other region, with routes for each VPC CIDR both ways; the
 * private zone that names each clustermesh API server; and the mesh CA, generated once at
 * apply time straight into Secrets Manager (KMS-encrypted), so its key is never in state.
 */
export class MeshGlobalStack extends EnvironmentStack {
  readonly caSecret: SecretsmanagerSecret;
  readonly zone: Route53Zone;
  readonly transitGateways: Ec2TransitGateway[];

  constructor(scope: Construct, props: MeshGlobalStackProps) {
    // State under `<env>/global/`; one aliased provider per region.
    super(scope, 'global', { ...props.settings, region: 'global' }, { aws: props.regions.map((entry) => entry.region) });
    const accountId = props.settings.accountId;
    const lifecycle = props.protectStatefulResources ? { preventDestroy: true } : undefined;
    const providers = this.awsProviders;
    const home = providers.find((provider) => provider.region === props.settings.region) ?? providers[0]!;

    this.transitGateways = props.regions.map((entry, index) => {
      const provider = providers[index]!;
      const tgw = new Ec2TransitGateway(this, `tgw-${entry.region}`, {
        provider,
        description: `Cluster Mesh ${entry.clusterName}`,
        amazonSideAsn: BASE_TRANSIT_GATEWAY_ASN + index,
        autoAcceptSharedAttachments: 'disable',
        defaultRouteTableAssociation: 'enable',
        defaultRouteTablePropagation: 'enable',
        dnsSupport: 'enable',
        tags: { Name: entry.clusterName },
      });
      new Ec2TransitGatewayVpcAttachment(this, `tgw-${entry.region}-vpc`, {
        provider,
        transitGatewayId: tgw.id,
        vpcId: entry.network.vpc.vpcId,
        subnetIds: entry.network.vpc.privateSubnetIds,
        tags: { Name: entry.clusterName },
      });
      // Private subnets reach every other mesh VPC through their region's Transit Gateway.
      props.regions.forEach((peer, peerIndex) => {
        if (peerIndex === index) return;
        entry.network.vpc.privateRouteTableIds.forEach((routeTableId, zoneIndex) => {
          new Route(this, `route-${entry.region}-${zoneIndex}-to-${peer.region}`, {
            provider,
            routeTableId,
            destinationCidrBlock: peer.vpcCidr,
            transitGatewayId: tgw.id,
          });
        });
      });
      return tgw;
    });

    // Full mesh of peerings: one per pair of regions, with a static route each way.
    props.regions.forEach((a, i) => {
      props.regions.slice(i + 1).forEach((b, offset) => {
        const j = i + 1 + offset;
        const peering = new Ec2TransitGatewayPeeringAttachment(this, `peering-${a.region}-${b.region}`, {
          provider: providers[i],
          transitGatewayId: this.transitGateways[i]!.id,
          peerTransitGatewayId: this.transitGateways[j]!.id,
          peerRegion: b.region,
          peerAccountId: accountId,
          tags: { Name: `${a.clusterName} <-> ${b.clusterName}` },
        });
        const accepter = new Ec2TransitGatewayPeeringAttachmentAccepter(this, `peering-${a.region}-${b.region}-accepter`, {
          provider: providers[j],
          transitGatewayAttachmentId: peering.id,
          tags: { Name: `${a.clusterName} <-> ${b.clusterName}` },
        });
        new Ec2TransitGatewayRoute(this, `tgw-route-${a.region}-to-${b.region}`, {
          provider: providers[i],
          transitGatewayRouteTableId: this.transitGateways[i]!.associationDefaultRouteTableId,
          destinationCidrBlock: b.vpcCidr,
          transitGatewayAttachmentId: peering.id,
          dependsOn: [accepter],
        });
        new Ec2TransitGatewayRoute(this, `tgw-route-${b.region}-to-${a.region}`, {
          provider: providers[j],
          transitGatewayRouteTableId: this.transitGateways[j]!.associationDefaultRouteTableId,
          destinationCidrBlock: a.vpcCidr,
          transitGatewayAttachmentId: accepter.transitGatewayAttachmentId,
        });
      });
    });

    this.zone = new Route53Zone(this, 'mesh-zone', {
      provider: home,
      name: props.zoneName,
      comment: 'clustermesh API servers of the Cluster Mesh',
      lifecycle,
      vpc: props.regions.map((entry) => ({ vpcId: entry.network.vpc.vpcId, vpcRegion: entry.region })),
    });

    const key = new KmsKey(this, 'mesh-ca-key', {
      provider: home,
      description: `Cluster Mesh CA of ${props.settings.environment}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle,
    });
    this.caSecret = new SecretsmanagerSecret(this, 'mesh-ca', {
      provider: home,
      name: props.caSecretName,
      description: 'Cilium Cluster Mesh CA (JSON: cert, key). Generated once at apply; never in Terraform state.',
      kmsKeyId: key.arn,
      recoveryWindowInDays: 30,
      lifecycle,
    });
    new TerraformData(this, 'mesh-ca-generate', {
      triggersReplace: { secret: this.caSecret.arn },
      provisioners: [
        {
          type: 'local-exec',
          interpreter: ['/bin/bash', '-c'],
          command: [
            'set -euo pipefail',
            'if aws secretsmanager get-secret-value --secret-id "$SECRET_ID" --region "$SECRET_REGION" >/dev/null 2>&1; then exit 0; fi',
            'dir="$(mktemp -d)"; trap \'rm -rf "$dir"\' EXIT',
            'openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj "/CN=Cilium Cluster Mesh CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null',
            'jq -n --rawfile cert "$dir/ca.crt" --rawfile key "$dir/ca.key" \'{cert: $cert, key: $key}\' > "$dir/ca.json"',
            'aws secretsmanager put-secret-value --secret-id "$SECRET_ID" --region "$SECRET_REGION" --secret-string "file://$dir/ca.json" >/dev/null',
          ].join('\n'),
          environment: { SECRET_ID: this.caSecret.arn, SECRET_REGION: home.region! },
        },
      ],
    });

    new TerraformOutput(this, 'mesh_zone_id', { value: this.zone.zoneId });
    new TerraformOutput(this, 'mesh_ca_secret_arn', { value: this.caSecret.arn });
  }
}
