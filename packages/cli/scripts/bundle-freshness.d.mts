export declare const BUNDLE_PATH: string;
/** Whether `bundle` is newer than every file under `sources` (and LATCHKEY_FROM_SOURCE is not 1). */
export declare function bundleIsFresh(bundle?: string, sources?: readonly string[]): boolean;
