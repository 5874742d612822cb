import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  type EventBridgeClientConfig,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { AwsFailure } from '../domain/errors.js';
import type { ReplayRequest, ReplayTarget } from '../domain/replay.js';

// The EventBridge gateway of `ecs-events replay`: find the archive and the rule, start a replay, read
// its state. The endpoint comes from the SDK's own variables (AWS_ENDPOINT_URL_EVENTBRIDGE or
// AWS_ENDPOINT_URL); unset, it is AWS. Retries are the SDK's.

export const createEventBridgeClient = (config: EventBridgeClientConfig = {}): EventBridgeClient =>
  new EventBridgeClient(config);

/**
 * The archive's ARN and bus, and the ARN of the rule of that bus named `ruleName`: what a replay to
 * that rule needs. An unknown archive or rule is EventBridge's ResourceNotFoundException, as thrown.
 */
export async function findReplayTarget(
  client: EventBridgeClient,
  archiveName: string,
  ruleName: string,
): Promise<ReplayTarget> {
  const archive = await client.send(new DescribeArchiveCommand({ ArchiveName: archiveName }));
  if (!archive.ArchiveArn || !archive.EventSourceArn) {
    throw new AwsFailure('AWS_ERROR', `archive ${archiveName}: EventBridge returned no ARN or event source`);
  }
  const rule = await client.send(new DescribeRuleCommand({ Name: ruleName, EventBusName: archive.EventSourceArn }));
  if (!rule.Arn)
    throw new AwsFailure('AWS_ERROR', `rule ${ruleName} on ${archive.EventSourceArn}: EventBridge returned no ARN`);
  return { archiveArn: archive.ArchiveArn, eventBusArn: archive.EventSourceArn, ruleArn: rule.Arn };
}

export interface ReplayStatus {
  readonly name: string;
  readonly arn?: string | undefined;
  readonly state: string;
  readonly reason?: string | undefined;
  /** The event time of the last event replayed so far. */
  readonly lastReplayedMs?: number | undefined;
}

export async function startReplay(client: EventBridgeClient, request: ReplayRequest): Promise<ReplayStatus> {
  const out = await client.send(
    new StartReplayCommand({
      ...request,
      Destination: { ...request.Destination, FilterArns: [...request.Destination.FilterArns] },
    }),
  );
  return { name: request.ReplayName, arn: out.ReplayArn, state: out.State ?? 'STARTING', reason: out.StateReason };
}

export async function describeReplay(client: EventBridgeClient, name: string): Promise<ReplayStatus> {
  const out = await client.send(new DescribeReplayCommand({ ReplayName: name }));
  return {
    name,
    arn: out.ReplayArn,
    state: out.State ?? 'UNKNOWN',
    reason: out.StateReason,
    lastReplayedMs: out.EventLastReplayedTime?.getTime(),
  };
}
