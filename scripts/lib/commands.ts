/**
 * Every cdktf command the docs show, in one place. `npm run docs` writes each block into the
 * pages that carry its markers, and scripts/test/commands.test.ts runs each command with the
 * real cdktf CLI up to the point where AWS credentials are needed.
 *
 * cdktf accepts stack ids and globs (quoted, so the shell leaves them alone); it deploys
 * every selected stack after the selected stacks it depends on. Selecting a stack without its
 * dependencies (or, for destroy, without the stacks that depend on it) is a usage error unless
 * --ignore-missing-stack-dependencies says they are deployed already (or stay).
 */

import { loadEnvironmentConfig, type EnvironmentConfig, type MultiRegionConfig, type WorkspaceApp } from '@cilium-eks/cluster-factory';
import { WORKSPACE_APPS } from '../../workspace-apps.js';

export interface DocumentedCommand {
  /** Exactly what the user types, starting with `npx cdktf`. */
  readonly command: string;
  readonly comment?: string;
}

export interface CommandBlock {
  /** Marker id in the docs: `<!-- commands:ID -->` ... `<!-- /commands:ID -->`. */
  readonly id: string;
  /** The app the commands run in (`cd apps/<app>`). */
  readonly app: string;
  readonly commands: readonly DocumentedCommand[];
}

const IGNORE = '--ignore-missing-stack-dependencies';

const STATE_STACK = { comment: 'once per account; then move its state into the bucket: docs/STATE_BOOTSTRAP.md' };

function singleRegion(app: string, options: { single?: string; destroy: boolean; stateStack: boolean }): CommandBlock[] {
  const blocks: CommandBlock[] = [
    {
      id: `${app}-deploy`,
      app,
      commands: [
        ...(options.stateStack ? [{ command: `npx cdktf deploy ${app}-state`, comment: STATE_STACK.comment }] : []),
        { command: `npx cdktf deploy '${app}-*'`, comment: 'the whole environment, each stack after its dependencies' },
        { command: `npx cdktf diff ${app}-cluster`, comment: 'what a change would do to one stack (diff takes one stack)' },
        { command: `npx cdktf deploy ${app}-cluster ${IGNORE}`, comment: options.single ?? 'one stack of an environment whose other stacks exist' },
      ],
    },
  ];
  // Protected environments have no destroy command: prevent_destroy refuses it.
  if (options.destroy) {
    blocks.push({
      id: `${app}-destroy`,
      app,
      commands: [{ command: `npx cdktf destroy ${app}-platform ${app}-compute ${app}-cni ${app}-cluster ${app}-network`, comment: 'everything but the state bucket, dependants first' }],
    });
  }
  return blocks;
}

function multiRegion(app: string, regions: readonly string[], options: { stateStack: boolean }): CommandBlock[] {
  return [
    {
      id: `${app}-deploy`,
      app,
      commands: [
        ...(options.stateStack ? [{ command: `npx cdktf deploy ${app}-state`, comment: STATE_STACK.comment }] : []),
        { command: `npx cdktf deploy '${app}-*'`, comment: 'everything: the networks, global, then each region cluster -> cni -> compute -> platform' },
      ],
    },
    {
      id: `${app}-deploy-steps`,
      app,
      commands: [
        { command: `npx cdktf deploy '${app}-*-network'`, comment: 'every region network' },
        { command: `npx cdktf deploy ${app}-global ${IGNORE}`, comment: 'peering, DNS, mesh CA (needs openssl, jq and aws); the networks exist' },
        ...regions.map((region) => ({ command: `npx cdktf deploy '${app}-${region}-*' ${IGNORE}`, comment: `${region}: cluster, cni, compute, platform; global exists` })),
      ],
    },
  ];
}

/**
 * An app's blocks, from its config: a state stack unless the bucket exists (state.bootstrap:
 * existing), a destroy block unless it is protected, the private-endpoint note, the regions.
 */
function appBlocks(app: WorkspaceApp): CommandBlock[] {
  const config = (app.options.load ?? loadEnvironmentConfig)(app.options.configPath, {}) as EnvironmentConfig | MultiRegionConfig;
  const stateStack = config.state.bootstrap !== 'existing';
  if ('regions' in config) return multiRegion(app.name, config.regions.map((entry) => entry.region), { stateStack });
  return singleRegion(app.name, {
    single: config.endpoint_access.public ? undefined : 'one stack; cni and platform need the private endpoint: run them from inside the VPC',
    destroy: !config.protect_stateful_resources,
    stateStack,
  });
}

/** An upgrade by hand, one stack at a time in the order the versions must roll (docs/UPGRADES.md). */
function upgrade(app: string): CommandBlock {
  return {
    id: `${app}-upgrade`,
    app,
    commands: [
      { command: `npx cdktf diff ${app}-cluster`, comment: 'read it: the control plane one minor up, its add-ons with it' },
      { command: `npx cdktf deploy ${app}-cluster ${IGNORE}`, comment: '1. the control plane and the add-ons that run without nodes' },
      { command: `npx cdktf deploy ${app}-cni ${IGNORE}`, comment: '2. Cilium (when its pin moves with the version)' },
      { command: `npx cdktf deploy ${app}-compute ${IGNORE}`, comment: '3. node groups roll to the new version, then CoreDNS' },
      { command: `npx cdktf deploy ${app}-platform ${IGNORE}`, comment: '4. Karpenter and the other charts; Karpenter nodes drift to the new AMI' },
    ],
  };
}

export const COMMAND_BLOCKS: readonly CommandBlock[] = [
  {
    id: 'prod-bootstrap',
    app: 'prod',
    commands: [{ command: 'npx cdktf deploy prod-state', comment: 'state.bootstrap: local (the default); asks before it applies' }],
  },
  ...WORKSPACE_APPS.flatMap(appBlocks),
  // The upgrade procedure of docs/UPGRADES.md, shown for sandbox.
  upgrade('sandbox'),
];

/** Every documented command, with the app and block it belongs to. */
export const DOCUMENTED_COMMANDS = COMMAND_BLOCKS.flatMap((block) => block.commands.map((entry) => ({ app: block.app, block: block.id, command: entry.command })));

/** A block as the docs show it: a shell snippet that starts in the app's directory. */
export function renderCommandBlock(block: CommandBlock): string {
  const width = Math.max(...block.commands.map((entry) => entry.command.length));
  const lines = block.commands.map((entry) => (entry.comment ? `${entry.command.padEnd(width)}  # ${entry.comment}` : entry.command));
  return ['```sh', `cd apps/${block.app}`, ...lines, '```'].join('\n');
}

const MARKER = /<!-- commands:([\w-]+) -->\n[\s\S]*?<!-- \/commands:\1 -->/g;

/** A page with every command block between its markers regenerated. */
export function withCommandBlocks(page: string, file: string): string {
  return page.replace(MARKER, (_match, id: string) => {
    const block = COMMAND_BLOCKS.find((entry) => entry.id === id);
    if (!block) throw new Error(`${file}: unknown command block ${id} (known: ${COMMAND_BLOCKS.map((entry) => entry.id).join(', ')})`);
    return `<!-- commands:${id} -->\n${renderCommandBlock(block)}\n<!-- /commands:${id} -->`;
  });
}

/** Ids of the command blocks a page carries. */
export function commandBlockIds(page: string): string[] {
  return [...page.matchAll(MARKER)].map((match) => match[1]!);
}
