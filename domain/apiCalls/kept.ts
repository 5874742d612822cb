import { isObject } from '../canonical.js';
import { REDACTED, redactOverrides } from '../redact.js';

/**
 * What the log keeps of a call. All of `requestParameters` but its secrets, and of `responseElements`
 * only what the joins and the audit read: `CreateService` and `UpdateService` answer with the whole
 * service and up to 100 of its events, `RunTask` with full task descriptions, which would make a log
 * item of many write units for nothing. Never kept: container-override environment values (request
 * and response, as ingest redacts them in task events), `ExecuteCommand`'s `session.streamUrl` and
 * `tokenValue` (a live credential to the shell), and the arguments of its `command` (a command line
 * often carries a password: only the program is kept, e.g. `/bin/sh`). docs/events.md.
 */

type Json = Record<string, unknown>;

const pick = (o: unknown, keys: readonly string[]): Json | undefined => {
  if (!isObject(o)) return undefined;
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
};
const pickAll = (v: unknown, keys: readonly string[]): Json[] | undefined =>
  Array.isArray(v) ? v.map((o) => pick(o, keys) ?? {}) : undefined;

// The task's own events (ECS Task State Change) hold the rest of what RunTask answers.
const TASK = ['taskArn', 'group', 'startedBy', 'lastStatus'];
const DEPLOYMENT = ['id', 'status', 'rolloutState', 'taskDefinition', 'desiredCount', 'createdAt', 'updatedAt'];
const SERVICE = ['serviceArn', 'serviceName', 'clusterArn', 'status', 'desiredCount', 'taskDefinition'];
const TASK_SET = ['id', 'taskSetArn', 'serviceArn', 'clusterArn', 'status', 'taskDefinition', 'externalId'];
const INSTANCE = ['containerInstanceArn', 'ec2InstanceId', 'status', 'agentConnected'];
const CLUSTER = ['clusterArn', 'clusterName', 'status'];
const FAILURE = ['arn', 'reason', 'detail'];
const EXEC = ['clusterArn', 'taskArn', 'containerArn', 'containerName', 'interactive'];

/** CloudTrail record fields kept: what happened, who, from where, and how it ended. */
export const RECORD_FIELDS = [
  'eventTime',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'eventID',
  'readOnly',
  'recipientAccountId',
  'sharedEventID',
  'vpcEndpointId',
];
const IDENTITY = ['type', 'arn', 'accountId', 'userName', 'invokedBy'];
const ISSUER = ['type', 'arn', 'accountId', 'userName'];

/**
 * `userIdentity` as the audit reads it: type, ARN, account, user name, the AWS service that called,
 * and the session's issuer. Dropped: CloudTrail's principal and access key ids and the session's
 * attributes (when it began, MFA), which CloudTrail's own history still has for 90 days.
 */
export function keptIdentity(identity: unknown): unknown {
  if (!isObject(identity)) return identity;
  const session = isObject(identity.sessionContext) ? identity.sessionContext : undefined;
  const kept: Json = { ...pick(identity, IDENTITY) };
  if (session && isObject(session.sessionIssuer)) {
    kept.sessionContext = { sessionIssuer: pick(session.sessionIssuer, ISSUER) };
  }
  return kept;
}

/**
 * The CloudTrail record as the log keeps it (the `detail` of the event): its identity, the call and
 * its outcome, the request without secrets and the response's few fields, under 1 KB of compressed
 * item for most calls (docs/events.md). Not kept: the TLS details, CloudTrail's request id, event
 * category and version flags. Applying it again changes nothing (verify --log derives the keys again).
 */
export function keptRecord(detail: Json): Json {
  return {
    ...pick(detail, RECORD_FIELDS),
    ...(detail.userIdentity !== undefined && { userIdentity: keptIdentity(detail.userIdentity) }),
    requestParameters: keptRequest(detail.requestParameters),
    responseElements: keptResponse(detail.responseElements),
  };
}

/** The response fields kept, by the name the ECS API gives them. */
export function keptResponse(response: unknown): unknown {
  if (!isObject(response)) return response ?? null;
  const service = isObject(response.service)
    ? { ...pick(response.service, SERVICE), deployments: pickAll(response.service.deployments, DEPLOYMENT) }
    : undefined;
  const session = isObject(response.session) ? pick(response.session, ['sessionId']) : undefined;
  const kept: Json = {
    ...pick(response, EXEC),
    tasks: pickAll(response.tasks, TASK),
    task: pick(response.task, TASK),
    failures: pickAll(response.failures, FAILURE),
    service,
    taskSet: pick(response.taskSet, TASK_SET),
    containerInstances: pickAll(response.containerInstances, INSTANCE),
    containerInstance: pick(response.containerInstance, INSTANCE),
    cluster: pick(response.cluster, CLUSTER),
    session,
  };
  return Object.fromEntries(Object.entries(kept).filter(([, v]) => v !== undefined));
}

/** `requestParameters` without the secrets it may carry. */
export function keptRequest(request: unknown): unknown {
  if (!isObject(request)) return request ?? null;
  const kept: Json = { ...request };
  if (isObject(request.overrides)) kept.overrides = redactOverrides(request.overrides);
  if (typeof request.command === 'string') {
    const [program, ...args] = request.command.trim().split(/\s+/);
    kept.command = args.length > 0 ? `${program} ${REDACTED}` : program;
  }
  return kept;
}
