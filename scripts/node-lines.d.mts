// Types of node-lines.mjs (plain JavaScript: it runs before `npm ci`).
export interface NodeLinesFile {
  readonly source: string;
  readonly checked: string;
  readonly schedule: Readonly<Record<string, { codename: string; initialRelease: string; activeLts: string; maintenance: string; endOfLife: string }>>;
  readonly binaries: string;
  readonly tested: Readonly<Record<string, string>>;
  readonly primary: string;
  readonly primaryBecause: string;
}
export interface NodeLine {
  readonly line: string;
  readonly version: string;
  /** The folder holding its `node`. */
  readonly bin: string;
  readonly primary: boolean;
  readonly installed: boolean;
}
export declare const NODE_LINES: NodeLinesFile;
export declare function nodeLinesDir(env?: NodeJS.ProcessEnv): string;
export declare function binaryPackage(version: string): string;
export declare function nodeLines(env?: NodeJS.ProcessEnv): NodeLine[];
