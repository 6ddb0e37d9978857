// Types of nx-synth-input.mjs (plain JavaScript: Nx runs it with node, before any compile step).
export declare const SYNTH_VARIABLES: Readonly<Record<string, string>>;
export declare const NOT_SYNTH_INPUTS: Readonly<Record<string, string>>;
export declare function synthInputLine(env?: NodeJS.ProcessEnv): string;
