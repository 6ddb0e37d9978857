import type { App } from 'cdktf';
import { EnvironmentPlatform, defineStateBootstrap, type EnvironmentConfig } from '@cilium-eks/cluster-factory';

/** The sandbox environment: its state bucket and every stack of one region, from its config. */
export function defineSandbox(app: App, config: EnvironmentConfig): EnvironmentPlatform {
  defineStateBootstrap(app, config);
  return new EnvironmentPlatform(app, config);
}
