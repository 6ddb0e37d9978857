import { Construct } from 'constructs';
import { Release } from '@cdktf/provider-helm/lib/release';
import type { ClusterInfo, PlatformAddon, ServedWebhooks } from './addon.js';
import { helmValues } from '../lib/private/helm.js';
import { ManifestChart } from '../kubernetes/manifest-chart.js';
import { featureReleaseNames } from '../features/built-in.js';
import type { KubernetesObject } from '../kubernetes/validate.js';

/**
 * The platform team's own add-ons (config `user_addons`): Helm charts at an exact version and
 * plain manifests, installed in the platform stack after every add-on of the platform, in the
 * order of their `depends_on`, each in its own construct scope (`user-addon-<name>`).
 */

/**
 * Names the platform's add-ons and Helm releases use (PlatformAddon names, release names):
 * a user add-on's name is its Helm release name, so none of these may be taken, enabled or not.
 * Every built-in feature's names and release names (src/features/registry.ts), Cilium's (CNI stack) among them.
 */
export const PLATFORM_ADDON_NAMES: readonly string[] = [...new Set(featureReleaseNames())].sort();

/** An exact chart version: SemVer 2 (a leading v allowed, as some charts tag them), no range, no `latest`. */
export const EXACT_CHART_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Why a chart version is refused, or undefined when it is exact. */
export function chartVersionProblem(version: string): string | undefined {
  if (EXACT_CHART_VERSION.test(version)) return undefined;
  return `${JSON.stringify(version)} is not an exact chart version: give one version such as 1.16.2 (ranges, "latest" and partial versions install whatever the repository serves on the day)`;
}

/**
 * Why a manifest add-on's namespace setting cannot work, or undefined: with create_namespace
 * Helm creates the release namespace first, then fails on a Namespace object of that name
 * (it exists and does not belong to the release).
 */
export function namespaceConflict(addon: { readonly namespace: string; readonly create_namespace: boolean }, objects: ReadonlyArray<{ readonly kind?: unknown; readonly metadata?: { readonly name?: unknown } }>): string | undefined {
  if (!addon.create_namespace || !objects.some((object) => object.kind === 'Namespace' && object.metadata?.name === addon.namespace)) return undefined;
  return `is true, but the objects create Namespace "${addon.namespace}" themselves: set create_namespace: false (Helm would create the namespace first, then fail on the object: it exists and is not the release's)`;
}

/** Webhooks a user add-on serves (the Cilium overlay-mode warning reads them). */
export interface UserAddonWebhooks {
  readonly names: readonly string[];
  /** Served from the node network (`hostNetwork: true`). @default false */
  readonly hostNetwork?: boolean;
}

interface UserAddonCommon {
  /** Add-on name, also its Helm release name. */
  readonly name: string;
  /** The namespace of its release (and of its objects that name none). */
  readonly namespace: string;
  /** Create the namespace when it does not exist. @default true */
  readonly createNamespace?: boolean;
  /** Other add-ons (the user's or the platform's) installed first. @default [] */
  readonly dependsOn?: readonly string[];
  /** @default none */
  readonly servesWebhooks?: UserAddonWebhooks;
}

export interface UserHelmChartAddon extends UserAddonCommon {
  readonly kind: 'helm';
  /** `https://` chart repository or `oci://` registry. */
  readonly repository: string;
  readonly chart: string;
  /** An exact version (EXACT_CHART_VERSION). */
  readonly version: string;
  /** Helm values, as given (the chart's schema is not pinned here). @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
}

export interface UserManifestAddon extends UserAddonCommon {
  readonly kind: 'manifest';
  /** Where the objects come from, for the chart's description: a file path as the config gives it, or `inline`. */
  readonly source: string;
  readonly objects: readonly KubernetesObject[];
}

export type UserAddon = UserHelmChartAddon | UserManifestAddon;

/**
 * A user add-on as a PlatformAddon: after every add-on in `platformAddons` and the ones it
 * names. Refuses an unpinned chart version; names are checked by orderAddons with the rest.
 */
export function userAddon(addon: UserAddon, platformAddons: readonly string[]): PlatformAddon {
  if (addon.kind === 'helm') {
    const problem = chartVersionProblem(addon.version);
    if (problem) throw new Error(`user add-on "${addon.name}": version ${problem}`);
  }
  const dependsOn = [...new Set([...platformAddons, ...(addon.dependsOn ?? [])])];
  return {
    name: addon.name,
    dependsOn,
    servedWebhooks(): ServedWebhooks | undefined {
      return addon.servesWebhooks && { names: addon.servesWebhooks.names, hostNetwork: addon.servesWebhooks.hostNetwork ?? false };
    },
    deploy(scope: Construct, _cluster: ClusterInfo): Construct[] {
      const own = new Construct(scope, `user-addon-${addon.name}`);
      const common = { name: addon.name, namespace: addon.namespace, createNamespace: addon.createNamespace ?? true, wait: true };
      if (addon.kind === 'helm') {
        return [new Release(own, 'release', { ...common, repository: addon.repository, chart: addon.chart, version: addon.version, ...helmValues(addon.values ?? {}) })];
      }
      const chart = new ManifestChart(own, 'chart', { name: addon.name, description: `User manifests ${addon.name} (${addon.source})`, objects: addon.objects });
      return [new Release(own, 'release', { ...common, chart: chart.path, atomic: true })];
    },
  };
}
