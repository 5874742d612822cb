// Types of domain/archive/columns.cjs.
export type ColumnType = 'string' | 'bigint' | 'int' | 'boolean' | 'timestamp' | 'containers';
export interface ArchiveColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly about: string;
}
export declare const ARCHIVE_COLUMNS: readonly ArchiveColumn[];
export declare const CONTAINER_FIELDS: readonly {
  readonly name: string;
  readonly type: Exclude<ColumnType, 'containers'>;
}[];
export declare const PARTITION_COLUMN: 'day';
export declare function glueType(type: ColumnType): string;
export declare function trinoType(type: ColumnType): string;
export declare function dedupViewSql(raw?: string): string;
