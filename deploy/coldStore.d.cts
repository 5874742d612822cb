// Types of deploy/coldStore.cjs (the renderer itself is checked by test/coldStore.test.ts).
export declare const COLD_STORE_IDS: Readonly<Record<string, string>>;
export declare const COLD_STORE_CONDITION: string;
export declare const FIREHOSE_BUFFER: { readonly SizeInMBs: number; readonly IntervalInSeconds: number };
export declare function coldStoreSettings(
  raw: Record<string, unknown>,
  names: { prefix: string },
): { coldStore: Record<string, unknown> };
export declare function coldStoreResources(settings: unknown): Record<string, unknown>;
export declare function coldStoreConditions(settings: unknown): Record<string, unknown>;
