// The reference of the cold-start figure: a Lambda handler that does nothing but create the SDK's
// DynamoDB document client at init, as every function of this project does. Bundled by the deploy's
// own esbuild settings (scripts/build.mjs), so the ratio of a function to it is what our code adds.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (): Promise<{ ok: boolean }> => ({ ok: doc.config !== undefined });
