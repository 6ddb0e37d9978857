/**
 * Every app of the repository. Root main.ts synthesizes them together and refuses two
 * environments that would create the same account resources; scripts/lib/apps.ts runs each
 * for the docs and the tests. `npx nx g @cilium-eks/nx-plugin:environment` adds new ones here.
 */
import { workspaceApp, type WorkspaceApp } from '@cilium-eks/cluster-factory';
import { multiRegionApp } from './apps/multi-region/src/multi-region.js';
import { prodApp } from './apps/prod/src/prod.js';
import { sandboxApp } from './apps/sandbox/src/sandbox.js';

export const WORKSPACE_APPS: readonly WorkspaceApp[] = [
  workspaceApp('multi-region', multiRegionApp),
  workspaceApp('prod', prodApp),
  workspaceApp('sandbox', sandboxApp),
];
