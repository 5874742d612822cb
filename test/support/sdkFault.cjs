// Preloaded (node --require) into an `ecs-events` run to make AWS answer with an error, on the real
// clients: every request whose operation is in SDK_FAULT_OPERATIONS (comma-separated; unset, every
// request) fails inside the SDK's retry loop, as a real answer would, with the error SDK_FAULT names:
// `throttling` (ProvisionedThroughputExceededException: the SDK retries it, AWS_MAX_ATTEMPTS times) or
// `access-denied` (AccessDeniedException: not retried). Nothing is sent for a faulted request.
'use strict';
const { Client } = require('@smithy/core/client');
const { DynamoDBServiceException, ProvisionedThroughputExceededException } = require('@aws-sdk/client-dynamodb');

const operations = (process.env.SDK_FAULT_OPERATIONS ?? '').split(',').filter(Boolean);
const $metadata = { httpStatusCode: 400 };
const faultOf = (operation) =>
  process.env.SDK_FAULT === 'throttling'
    ? new ProvisionedThroughputExceededException({ message: 'injected: the request rate is too high', $metadata })
    : new DynamoDBServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata,
        message: `injected: not authorized to perform dynamodb:${operation}`,
      });

const instrumented = new WeakSet();
const send = Client.prototype.send;
Client.prototype.send = function sendWithFaults(...args) {
  if (!instrumented.has(this.middlewareStack)) {
    instrumented.add(this.middlewareStack);
    this.middlewareStack.add(
      (next, context) => async (request) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        if (operations.length === 0 || operations.includes(operation)) throw faultOf(operation);
        return next(request);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'testSdkFault' },
    );
  }
  return send.apply(this, args);
};
