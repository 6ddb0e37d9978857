import type { App } from 'cdktf';
import { EnvironmentPlatform, type EnvironmentConfig } from '@cilium-eks/cluster-factory';

/** The sandbox environment: every stack of one region, straight from its config. */
export function defineSandbox(app: App, config: EnvironmentConfig): EnvironmentPlatform {
  return new EnvironmentPlatform(app, config);
}
