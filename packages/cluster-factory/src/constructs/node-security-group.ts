import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import type { NetworkingDecision } from '../networking/decision.js';
import { suppressPolicy } from '../policy/suppress.js';

export interface NodeSecurityGroupProps {
  readonly clusterName: string;
  readonly vpcId: string;
  /** The datapath decides which node-to-node traffic must be open. */
  readonly networking: NetworkingDecision;
  /** Cilium WireGuard encryption between nodes. @default false */
  readonly wireguard?: boolean;
  /** Cilium mutual authentication: agents handshake on TCP 4250 between nodes. @default false */
  readonly mutualAuth?: boolean;
  /**
   * VPC CIDRs of the other clusters of a Cluster Mesh: their nodes and pods reach ours
   * natively, and the clustermesh API server (NLB to NodePort). @default []
   */
  readonly meshPeerCidrs?: readonly string[];
}

interface PortRule {
  readonly id: string;
  readonly description: string;
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
}

/**
 * Node-to-node rules per datapath (the EKS cluster security group, also attached to the
 * nodes, already carries control-plane <-> node traffic).
 *
 * Ports from the Cilium system requirements (Documentation/operations/system_requirements.rst,
 * "Firewall Rules"): Geneve 6081/udp, health 4240/tcp and ICMP, Hubble server 4244/tcp,
 * WireGuard 51871/udp, mutual authentication 4250/tcp. In ENI mode and with the VPC CNI, pods
 * own VPC addresses on ENIs that carry this group, so pod-to-pod traffic needs the group open to
 * itself.
 */
export function nodeIngressRules(networking: NetworkingDecision, features: { readonly wireguard?: boolean; readonly mutualAuth?: boolean } = {}): PortRule[] {
  const rules = datapathRules(networking);
  // Stated even where self-all covers them, so the feature ports are visible in review.
  if (networking.ciliumEnabled && features.wireguard) rules.push({ id: 'wireguard', description: 'Cilium WireGuard encryption', protocol: 'udp', fromPort: 51871, toPort: 51871 });
  if (networking.ciliumEnabled && features.mutualAuth) rules.push({ id: 'mutual-auth', description: 'Cilium mutual authentication handshake', protocol: 'tcp', fromPort: 4250, toPort: 4250 });
  return rules;
}

function datapathRules(networking: NetworkingDecision): PortRule[] {
  if (networking.cni === 'aws-vpc-cni' || networking.ciliumMode === 'eni') {
    return [{ id: 'self-all', description: 'Pod and node traffic within the cluster (pods use VPC addresses)', protocol: '-1' }];
  }
  const rules: PortRule[] = [
    { id: 'geneve', description: 'Cilium Geneve overlay', protocol: 'udp', fromPort: 6081, toPort: 6081 },
    { id: 'cilium-health', description: 'Cilium health checks', protocol: 'tcp', fromPort: 4240, toPort: 4240 },
    { id: 'cilium-health-icmp', description: 'Cilium health checks (ICMP echo)', protocol: 'icmp', fromPort: 8, toPort: 0 },
    { id: 'kubelet', description: 'Kubelet API from pods on other nodes (metrics)', protocol: 'tcp', fromPort: 10250, toPort: 10250 },
  ];
  if (networking.hubble) rules.push({ id: 'hubble', description: 'Hubble server (relay)', protocol: 'tcp', fromPort: 4244, toPort: 4244 });
  return rules;
}

/** The security group shared by every node of the cluster. */
export class NodeSecurityGroup extends Construct {
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: NodeSecurityGroupProps) {
    super(scope, id);
    const group = new SecurityGroup(this, 'group', {
      name: `${props.clusterName}-node`,
      description: `Nodes of EKS cluster ${props.clusterName}`,
      vpcId: props.vpcId,
      tags: { Name: `${props.clusterName}-node`, 'karpenter.sh/discovery': props.clusterName },
    });
    this.securityGroupId = group.id;

    for (const rule of nodeIngressRules(props.networking, { wireguard: props.wireguard, mutualAuth: props.mutualAuth })) {
      new VpcSecurityGroupIngressRule(this, `ingress-${rule.id}`, {
        securityGroupId: group.id,
        referencedSecurityGroupId: group.id,
        description: rule.description,
        ipProtocol: rule.protocol,
        fromPort: rule.fromPort,
        toPort: rule.toPort,
      });
    }
    (props.meshPeerCidrs ?? []).forEach((cidr, index) => {
      new VpcSecurityGroupIngressRule(this, `ingress-mesh-peer-${index}`, {
        securityGroupId: group.id,
        cidrIpv4: cidr,
        description: `Cluster Mesh peer ${cidr}: nodes, pods and the clustermesh API server`,
        ipProtocol: '-1',
      });
    });
    const egress = new VpcSecurityGroupEgressRule(this, 'egress-all', {
      securityGroupId: group.id,
      description: 'All egress (through NAT)',
      ipProtocol: '-1',
      cidrIpv4: '0.0.0.0/0',
    });
    suppressPolicy(egress, {
      ruleId: 'NET-001',
      reason: 'Nodes pull images, reach AWS APIs and run workloads that call the internet, all through NAT; the platform configures no VPC endpoints or egress proxy',
    });
  }
}
