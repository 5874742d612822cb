import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A DynamoDB document client. The endpoint comes from the SDK's own variables
 * (AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL); unset, it is AWS.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: {
      removeUndefinedValues: true,
      // Event JSON has already been parsed by Lambda, so an int64 beyond 2^53 lost its digits
      // before we saw it; store what we have rather than fail the row. The log keeps the text.
      allowImpreciseNumbers: true,
    },
  });
}
