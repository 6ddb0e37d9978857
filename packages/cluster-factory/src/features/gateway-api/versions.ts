// Pinned versions of the Gateway API feature; src/versions.ts re-exports them, so every pin is still listed there.

/** Gateway API CRDs Cilium 1.19 implements (it does not work with v1.5.x). */
export const GATEWAY_API_VERSION = 'v1.4.1';

/** The Gateway API CRDs release manifest (standard channel) Cilium's Gateway controller needs first. */
export function gatewayApiCrdsUrl(version: string = GATEWAY_API_VERSION): string {
  return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/standard-install.yaml`;
}
