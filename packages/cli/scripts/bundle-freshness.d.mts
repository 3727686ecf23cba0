export declare const BUNDLE_PATH: string;
/** The source folders the CLI bundle is made from. */
export declare const SOURCES: readonly string[];
export declare const SERVER_BUNDLE_PATH: string;
/** The source folders the server bundle is made from. */
export declare const SERVER_SOURCES: readonly string[];
/** Whether `bundle` is newer than every file under `sources` (and LATCHKEY_FROM_SOURCE is not 1). */
export declare function bundleIsFresh(bundle?: string, sources?: readonly string[]): boolean;
