// Pinned versions of the Argo CD feature; src/versions.ts re-exports them, so every pin is still listed there.
import type { PinnedChart } from '../../versions.js';

/** Argo CD chart 9.5.14 ships Argo CD v3.4.2. */
export const ARGOCD_CHART: PinnedChart = { repository: 'https://argoproj.github.io/argo-helm', chart: 'argo-cd', version: '9.5.14' };
/** The Argo CD release ARGOCD_CHART installs (its appVersion): what the compatibility table checks. */
export const ARGOCD_VERSION = 'v3.4.2';

/**
 * ApplicationSets and Applications, installed after the Argo CD CRDs exist. 2.0.3 is the first
 * version that renders `goTemplateOptions` (2.0.2 drops it silently); the keys each version
 * renders are in reference/argocd-apps-<version>/.
 */
export const ARGOCD_APPS_CHART: PinnedChart = { repository: 'https://argoproj.github.io/argo-helm', chart: 'argocd-apps', version: '2.0.5' };
