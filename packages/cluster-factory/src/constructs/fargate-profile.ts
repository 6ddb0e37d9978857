import { Construct } from 'constructs';
import { EksFargateProfile } from '@cdktf/provider-aws/lib/eks-fargate-profile';

export interface FargateProfileProps {
  readonly clusterName: string;
  readonly name: string;
  readonly podExecutionRoleArn: string;
  /** Private subnets only: Fargate pods get no public address. */
  readonly subnetIds: string[];
  readonly selectors: ReadonlyArray<{ readonly namespace: string; readonly labels?: Readonly<Record<string, string>> }>;
}

/** One EKS Fargate profile. Pods it selects always use the AWS VPC CNI. */
export class FargateProfile extends Construct {
  readonly profile: EksFargateProfile;

  constructor(scope: Construct, id: string, props: FargateProfileProps) {
    super(scope, id);
    this.profile = new EksFargateProfile(this, 'profile', {
      clusterName: props.clusterName,
      fargateProfileName: props.name,
      podExecutionRoleArn: props.podExecutionRoleArn,
      subnetIds: props.subnetIds,
      selector: props.selectors.map((selector) => ({
        namespace: selector.namespace,
        labels: selector.labels && Object.keys(selector.labels).length > 0 ? { ...selector.labels } : undefined,
      })),
    });
  }
}
