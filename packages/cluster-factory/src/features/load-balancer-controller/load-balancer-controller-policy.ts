import { partitionOf } from '../../lib/private/aws.js';

/**
 * Where the AWS Load Balancer Controller chart runs and the service account it creates: the
 * cluster stack binds its Pod Identity role (with loadBalancerControllerPolicy) to it.
 */
export const LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = { namespace: 'kube-system', name: 'aws-load-balancer-controller' } as const;

export interface LoadBalancerControllerPolicyProps {
  readonly region: string;
  readonly accountId: string;
  /** The cluster's VPC: the only one whose security groups the controller may open. */
  readonly vpcId: string;
}

/**
 * The controller policy: the statements of the upstream v3.5.0 `docs/install/iam_policy.json`
 * (reference/aws-load-balancer-controller-3.5.0/; a test compares them, with every difference
 * reviewed), in the region's partition and scoped further:
 * - security-group ingress changes on groups the controller did not create only in this
 *   cluster's VPC (the `ec2:Vpc` condition the upstream installation guide recommends);
 * - every other write the upstream grants on `*` only in this region (`aws:RequestedRegion`:
 *   the controller calls the EC2, ELBv2 and WAF endpoints of `--aws-region`);
 * - Shield Advanced protections only of this account (Shield is a global API, so a region
 *   condition would not fit).
 */
export function loadBalancerControllerPolicy(props: LoadBalancerControllerPolicyProps): object {
  const partition = partitionOf(props.region);
  const inRegion = { StringEquals: { 'aws:RequestedRegion': props.region } };
  const elb = (resource: string) => `arn:${partition}:elasticloadbalancing:*:*:${resource}`;
  const securityGroups = `arn:${partition}:ec2:*:*:security-group/*`;
  const loadBalancersAndTargetGroups = [elb('targetgroup/*/*'), elb('loadbalancer/net/*/*'), elb('loadbalancer/app/*/*')];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CreateElbServiceLinkedRole',
        Effect: 'Allow',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
      },
      {
        Sid: 'DescribeNetworkAndLoadBalancers',
        Effect: 'Allow',
        Action: [
          'ec2:DescribeAccountAttributes',
          'ec2:DescribeAddresses',
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeInternetGateways',
          'ec2:DescribeVpcs',
          'ec2:DescribeVpcPeeringConnections',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeInstances',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeTags',
          'ec2:GetCoipPoolUsage',
          'ec2:DescribeCoipPools',
          'ec2:GetSecurityGroupsForVpc',
          'ec2:DescribeIpamPools',
          'ec2:DescribeRouteTables',
          'elasticloadbalancing:DescribeLoadBalancers',
          'elasticloadbalancing:DescribeLoadBalancerAttributes',
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeListenerCertificates',
          'elasticloadbalancing:DescribeSSLPolicies',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetGroupAttributes',
          'elasticloadbalancing:DescribeTargetHealth',
          'elasticloadbalancing:DescribeTags',
          'elasticloadbalancing:DescribeTrustStores',
          'elasticloadbalancing:DescribeListenerAttributes',
          'elasticloadbalancing:DescribeCapacityReservation',
        ],
        Resource: '*',
      },
      {
        // The ALB add-ons' reads: Cognito, certificates, WAF web ACLs, Shield subscription.
        Sid: 'ReadAlbAddons',
        Effect: 'Allow',
        Action: [
          'cognito-idp:DescribeUserPoolClient',
          'acm:ListCertificates',
          'acm:DescribeCertificate',
          'iam:ListServerCertificates',
          'iam:GetServerCertificate',
          'waf-regional:GetWebACL',
          'waf-regional:GetWebACLForResource',
          'wafv2:GetWebACL',
          'wafv2:GetWebACLForResource',
          'shield:GetSubscriptionState',
          'shield:DescribeProtection',
        ],
        Resource: '*',
      },
      {
        // alb.ingress.kubernetes.io/waf-acl-id and wafv2-acl-arn: regional WAF only.
        Sid: 'AssociateWebAclsInRegion',
        Effect: 'Allow',
        Action: ['waf-regional:AssociateWebACL', 'waf-regional:DisassociateWebACL', 'wafv2:AssociateWebACL', 'wafv2:DisassociateWebACL'],
        Resource: '*',
        Condition: inRegion,
      },
      {
        // alb.ingress.kubernetes.io/shield-advanced-protection.
        Sid: 'ManageShieldProtectionsOfAccount',
        Effect: 'Allow',
        Action: ['shield:CreateProtection', 'shield:DeleteProtection'],
        Resource: `arn:${partition}:shield::${props.accountId}:protection/*`,
      },
      {
        // Rules on the node (cluster) security group the controller did not create.
        Sid: 'OpenSecurityGroupsInClusterVpc',
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
        Resource: '*',
        Condition: { ArnEquals: { 'ec2:Vpc': `arn:${partition}:ec2:${props.region}:${props.accountId}:vpc/${props.vpcId}` } },
      },
      { Sid: 'CreateSecurityGroupsInRegion', Effect: 'Allow', Action: 'ec2:CreateSecurityGroup', Resource: '*', Condition: inRegion },
      {
        Sid: 'TagOwnSecurityGroupsOnCreate',
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: securityGroups,
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' }, Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
      },
      {
        Sid: 'RetagOwnSecurityGroups',
        Effect: 'Allow',
        Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
        Resource: securityGroups,
        Condition: { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'true', 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
      },
      {
        Sid: 'ManageOwnSecurityGroups',
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress', 'ec2:DeleteSecurityGroup'],
        Resource: '*',
        Condition: { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
      },
      {
        Sid: 'CreateTaggedLoadBalancers',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
        Resource: '*',
        Condition: { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' } },
      },
      {
        Sid: 'ManageListenersAndRulesInRegion',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:CreateListener', 'elasticloadbalancing:DeleteListener', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:DeleteRule'],
        Resource: '*',
        Condition: inRegion,
      },
      {
        Sid: 'RetagOwnLoadBalancers',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
        Resource: loadBalancersAndTargetGroups,
        Condition: { Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'true', 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
      },
      {
        Sid: 'TagListenersAndRules',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
        Resource: [elb('listener/net/*/*/*'), elb('listener/app/*/*/*'), elb('listener-rule/net/*/*/*'), elb('listener-rule/app/*/*/*')],
      },
      {
        Sid: 'ModifyOwnLoadBalancers',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:ModifyLoadBalancerAttributes',
          'elasticloadbalancing:SetIpAddressType',
          'elasticloadbalancing:SetSecurityGroups',
          'elasticloadbalancing:SetSubnets',
          'elasticloadbalancing:DeleteLoadBalancer',
          'elasticloadbalancing:ModifyTargetGroup',
          'elasticloadbalancing:ModifyTargetGroupAttributes',
          'elasticloadbalancing:DeleteTargetGroup',
          'elasticloadbalancing:ModifyListenerAttributes',
          'elasticloadbalancing:ModifyCapacityReservation',
          'elasticloadbalancing:ModifyIpPools',
        ],
        Resource: '*',
        Condition: { Null: { 'aws:ResourceTag/elbv2.k8s.aws/cluster': 'false' } },
      },
      {
        Sid: 'TagLoadBalancersOnCreate',
        Effect: 'Allow',
        Action: 'elasticloadbalancing:AddTags',
        Resource: loadBalancersAndTargetGroups,
        Condition: {
          StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
          Null: { 'aws:RequestTag/elbv2.k8s.aws/cluster': 'false' },
        },
      },
      {
        Sid: 'RegisterTargets',
        Effect: 'Allow',
        Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        Resource: elb('targetgroup/*/*'),
      },
      {
        Sid: 'ModifyListenersAndRulesInRegion',
        Effect: 'Allow',
        Action: [
          'elasticloadbalancing:SetWebAcl',
          'elasticloadbalancing:ModifyListener',
          'elasticloadbalancing:AddListenerCertificates',
          'elasticloadbalancing:RemoveListenerCertificates',
          'elasticloadbalancing:ModifyRule',
          'elasticloadbalancing:SetRulePriorities',
        ],
        Resource: '*',
        Condition: inRegion,
      },
    ],
  };
}
