// Pinned versions of the Cilium feature; src/versions.ts re-exports them, so every pin is still listed there.
import type { PinnedChart } from '../../versions.js';

/**
 * Cilium 1.19: the reference chart data (values, schema keys) the tests check against is
 * for 1.19.6. 1.20 deprecates `authentication.mutual.spire.*`, which this project uses.
 */
export const CILIUM_CHART: PinnedChart = { repository: 'https://helm.cilium.io', chart: 'cilium', version: '1.19.6' };
