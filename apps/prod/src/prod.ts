import type { App } from 'cdktf';
import { EnvironmentPlatform, defineStateBootstrap, type EnvironmentConfig } from '@cilium-eks/cluster-factory';

/** The prod environment: its state bucket and every stack of its region, from its config. */
export function defineProd(app: App, config: EnvironmentConfig): EnvironmentPlatform {
  defineStateBootstrap(app, config);
  return new EnvironmentPlatform(app, config);
}
