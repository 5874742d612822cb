import { SendMessageCommand, SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

// The SQS side of the functions: parking what they refuse or cannot keep in a queue of the deploy.

/**
 * An SQS client. The endpoint comes from the SDK's own variables (AWS_ENDPOINT_URL_SQS or
 * AWS_ENDPOINT_URL); unset, it is AWS. Retries are the SDK's (standard mode, 3 attempts).
 */
export const createQueueClient = (config: SQSClientConfig = {}): SQSClient => new SQSClient(config);

/**
 * Sends one message: the body as JSON text (a string is sent as it is), attributes beside it (for
 * filtering in the console without opening the body; a number as SQS's Number type). Returns the
 * message id. Throws on failure, after the SDK's retries: the caller decides what happens to what it
 * could not park.
 */
export async function sendToQueue(
  sqs: SQSClient,
  queueUrl: string,
  body: unknown,
  attributes: Record<string, string | number> = {},
): Promise<string | undefined> {
  const out = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [
          name,
          { DataType: typeof value === 'number' ? 'Number' : 'String', StringValue: String(value) },
        ]),
      ),
    }),
  );
  return out.MessageId;
}
