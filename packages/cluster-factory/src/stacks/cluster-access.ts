/** Connection details of an EKS cluster, as tokens for other stacks. */
export interface ClusterAccess {
  readonly clusterName: string;
  readonly region: string;
  readonly endpoint: string;
  /** Host name without scheme. */
  readonly endpointHost: string;
  /** Base64 PEM of the cluster CA. */
  readonly certificateAuthorityData: string;
}
