import { isArray } from 'node:util';

/** Node.js's code for the runtime deprecation of util.isArray (since Node.js 22). */
export const UTIL_IS_ARRAY_DEPRECATION = 'DEP0044';

/**
 * cdktf 0.21 (HashiCorp's last release) calls util.isArray whenever it synthesizes an output
 * (lib/terraform-output.js), and Node.js 22 and later print a DeprecationWarning for it: every
 * synth would end with a warning its users can do nothing about. Node.js prints a deprecation
 * once per process and code, so this takes that one warning, silently, before cdktf can; every
 * other warning prints as before. scripts/test/node-lines.test.ts fails once cdktf stops calling it.
 */
export function acknowledgeCdktfDeprecations(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const code = rest[0] !== null && typeof rest[0] === 'object' ? (rest[0] as { code?: string }).code : rest[1];
    if (code === UTIL_IS_ARRAY_DEPRECATION) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    isArray([]);
  } finally {
    process.emitWarning = emitWarning;
  }
}
