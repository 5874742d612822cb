// Types of the CommonJS table-definition model (tables.cjs).
type AttributeType = 'S' | 'N' | 'B';
interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey?: string;
  projection: { ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
}
interface TableDefinition {
  envVar: string;
  defaultName: string;
  partitionKey: string;
  sortKey?: string;
  attributes: Record<string, AttributeType>;
  stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES';
  ttlAttribute?: string;
  indexes: IndexDefinition[];
  /** Names of indexes earlier versions of the model had, which a migration deletes. */
  retiredIndexes?: string[];
}
export type TableKind = 'eventLog' | 'taskState' | 'instanceState';
export declare const tables: Record<TableKind, TableDefinition>;
export declare const TTL_ATTRIBUTE: string;
export declare function keySchema(
  partitionKey: string,
  sortKey?: string,
): { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
export declare function tableProperties(kind: TableKind, tableName: string): Record<string, unknown>;
export declare function createTableInput(
  kind: TableKind,
  tableName: string,
): import('@aws-sdk/client-dynamodb').CreateTableCommandInput;
