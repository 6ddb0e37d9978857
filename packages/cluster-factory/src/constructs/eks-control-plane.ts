import { Construct } from 'constructs';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { Fn } from 'cdktf';
import { managedPolicyArn, partitionOf, iamPolicyJson, serviceTrustPolicy } from '../lib/private/aws.js';
import { PUBLIC_ENDPOINT_NEEDS_CIDRS, SERVICE_IPV4_CIDR, publicEndpointWithoutCidrs } from '../networking/platform-rules.js';

export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

export interface EksControlPlaneProps {
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  /**
   * What EKS does when standard support of the version ends: STANDARD upgrades the control
   * plane itself, EXTENDED keeps it (at the extended-support price). Always stated: left out,
   * AWS applies EXTENDED silently.
   */
  readonly supportType: 'STANDARD' | 'EXTENDED';
  readonly region: string;
  /** Subnets for the control-plane ENIs (the private subnets). */
  readonly subnetIds: string[];
  /**
   * Public API endpoint. The private endpoint is always on.
   * @default false
   */
  readonly endpointPublicAccess?: boolean;
  /** CIDRs allowed to the public endpoint; required when it is on. */
  readonly publicAccessCidrs?: readonly string[];
  /** IAM principals with cluster-admin access entries. @default [] */
  readonly adminPrincipalArns?: readonly string[];
  /** @default 30 */
  readonly logRetentionDays?: number;
  /**
   * Let EKS install aws-node, kube-proxy and CoreDNS itself. Must be false when Cilium
   * is the CNI: Cilium replaces aws-node (and kube-proxy with kube-proxy replacement).
   */
  readonly bootstrapSelfManagedAddons: boolean;
  /** @default SERVICE_IPV4_CIDR ('172.20.0.0/16') */
  readonly serviceIpv4Cidr?: string;
  /**
   * prevent_destroy on the cluster, its KMS key and its log group: a plan that would destroy them fails.
   * @default false
   */
  readonly preventDestroy?: boolean;
}

/**
 * The EKS control plane: IAM role, secrets envelope encryption with a rotating KMS key,
 * control-plane logs, API-only authentication with access entries for admins.
 */
export class EksControlPlane extends Construct {
  readonly cluster: EksCluster;
  readonly kmsKey: KmsKey;
  readonly serviceIpv4Cidr: string;

  constructor(scope: Construct, id: string, props: EksControlPlaneProps) {
    super(scope, id);
    const publicAccess = props.endpointPublicAccess ?? false;
    if (publicEndpointWithoutCidrs(publicAccess, props.publicAccessCidrs ?? [])) {
      throw new Error(`${props.clusterName}: a public endpoint needs publicAccessCidrs (${PUBLIC_ENDPOINT_NEEDS_CIDRS})`);
    }
    this.serviceIpv4Cidr = props.serviceIpv4Cidr ?? SERVICE_IPV4_CIDR;

    const role = new IamRole(this, 'role', {
      name: `${props.clusterName}-cluster`,
      assumeRolePolicy: serviceTrustPolicy('eks.amazonaws.com'),
    });
    new IamRolePolicyAttachment(this, 'cluster-policy', { role: role.name, policyArn: managedPolicyArn(props.region, 'AmazonEKSClusterPolicy') });

    this.kmsKey = new KmsKey(this, 'secrets-key', {
      description: `EKS secrets envelope encryption for ${props.clusterName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });
    new KmsAlias(this, 'secrets-key-alias', { name: `alias/eks/${props.clusterName}`, targetKeyId: this.kmsKey.keyId });
    new IamRolePolicy(this, 'secrets-key-use', {
      role: role.name,
      name: 'secrets-encryption',
      policy: iamPolicyJson({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'], Resource: this.kmsKey.arn },
        ],
      }),
    });

    // EKS writes to this exact name; creating it first lets us own the retention.
    const logs = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/eks/${props.clusterName}/cluster`,
      retentionInDays: props.logRetentionDays ?? 30,
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });

    this.cluster = new EksCluster(this, 'cluster', {
      name: props.clusterName,
      version: props.kubernetesVersion,
      upgradePolicy: { supportType: props.supportType },
      roleArn: role.arn,
      bootstrapSelfManagedAddons: props.bootstrapSelfManagedAddons,
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: this.kmsKey.arn } },
      kubernetesNetworkConfig: { ipFamily: 'ipv4', serviceIpv4Cidr: this.serviceIpv4Cidr },
      vpcConfig: {
        subnetIds: props.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: publicAccess,
        publicAccessCidrs: publicAccess ? [...(props.publicAccessCidrs ?? [])] : undefined,
      },
      dependsOn: [logs],
      lifecycle: props.preventDestroy ? { preventDestroy: true } : undefined,
    });

    (props.adminPrincipalArns ?? []).forEach((principalArn, index) => {
      const entry = new EksAccessEntry(this, `admin-${index}`, { clusterName: this.cluster.name, principalArn, type: 'STANDARD' });
      new EksAccessPolicyAssociation(this, `admin-${index}-policy`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${partitionOf(props.region)}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: 'cluster' },
      });
    });
  }

  /** The API server host name without scheme (what Cilium's k8sServiceHost needs). */
  get endpointHost(): string {
    return Fn.replace(this.cluster.endpoint, 'https://', '');
  }
}
