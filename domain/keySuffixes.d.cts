// Types of domain/keySuffixes.cjs; test/keySuffixes.domain.test.ts checks that they agree.
export type LogWriter = 'ingest' | 'reconciler' | 'projector' | 'repair';
export declare const LOG_WRITERS: readonly LogWriter[];
export interface KeySuffix<S extends string = string> {
  readonly suffix: S;
  readonly writers: readonly LogWriter[];
}
export declare const KEY_SUFFIXES: {
  readonly event: KeySuffix<''>;
  readonly other: KeySuffix<'#other'>;
  readonly call: KeySuffix<'#call'>;
  readonly storeCall: KeySuffix<'#store-call'>;
  readonly observed: KeySuffix<'#observed'>;
  readonly observedMissing: KeySuffix<'#observed-missing'>;
  readonly tampered: KeySuffix<'#tampered'>;
  readonly tamperTrusted: KeySuffix<'#tamper-trusted'>;
};
export type KeySuffixName = keyof typeof KEY_SUFFIXES;
export declare function suffixesWrittenBy(writer: LogWriter): string[];
export declare function leadingKeyPatterns(writer: LogWriter): string[] | undefined;
export declare function forbiddenKeyPatterns(writer: LogWriter): string[];
