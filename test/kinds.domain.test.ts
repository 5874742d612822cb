// KINDS (domain/kinds.ts) is the vocabulary: each kind declares its keys and labels, and the rest is
// derived. Two things are proved here. A detail-type promoted out of `other` into a kind of its own
// (here in a KINDS-like table of the test: the keys are taken from the declaration, not the name)
// keeps its `<arn>#other` keys, so an event logged before the promotion and its redelivery after it
// meet at one key and compare as a duplicate. And the readers' words are the declarations' own.
import { describe, expect, it } from 'vitest';
import { historyRow, isAsideRow } from '../domain/audit/history.js';
import { timelineWordOf } from '../domain/audit/timeline.js';
import { isSameEventUnder } from '../domain/duplicate.js';
import type { ParsedEvent } from '../domain/eventTypes.js';
import {
  ARN_FORMS,
  KINDS,
  type KindDeclaration,
  kindOfDetailType,
  TIMELINE_TYPES,
  versionRuleOf,
} from '../domain/kinds.js';
import { toLogItem } from '../domain/logItem.js';
import { parseEvent, parseEventAs } from '../domain/parseEvent.js';
import { SERVICE_DETAIL_TYPES } from '../domain/serviceEvents.js';
import { loadSamples } from '../sim/samples.js';

const opts = { redactEnvironment: true };
const samples = loadSamples();
const sample = (name: string) => structuredClone(samples.get(name)) as Record<string, any>;
const stamp = { ingestedAt: 0, ingestId: 'x' };

function ok<T>(r: { ok: true; value: T } | { ok: false; rejection: { reason: string } }): T {
  if (!r.ok) throw new Error(r.rejection.reason);
  return r.value;
}

/** What keys a log item: partition, sort key, the resource, and the cluster index key. */
const keysOf = (p: ParsedEvent<string>) => {
  const item = toLogItem(p as ParsedEvent, stamp);
  return { arn: item.arn, version: item.version, resourceArn: item.resourceArn, timelineKey: item.timelineKey };
};

/**
 * KINDS after a promotion: `ECS Container Instance Health Change`, and a made-up ECS type, get
 * kinds of their own with labels of their own, declared with the `other` keying (the rule for every
 * promotion: docs/architecture.md, "How to add a kind").
 */
const PROMOTED = {
  ...KINDS,
  instanceHealth: {
    detailType: KINDS.other.named.instanceHealth,
    resourceType: 'container-instance',
    keys: KINDS.other.keys,
    labels: { timelineType: 'instance', timelineWord: 'health', history: 'aside', historySummary: 'detailFields' },
  },
  somethingNew: {
    detailType: 'ECS Something New',
    keys: KINDS.other.keys,
    labels: { timelineType: 'other', timelineWord: 'new', history: 'aside' },
  },
} as const satisfies Record<string, KindDeclaration>;

const HEALTH = ['health-1', 'health-2', 'health-3', 'health-4'];
const somethingNew = () => ({ ...sample('hook-1'), 'detail-type': 'ECS Something New' });

describe('a detail-type promoted out of other keeps its keys', () => {
  it('keys every event as it was keyed before the promotion', () => {
    for (const name of HEALTH) {
      const before = ok(parseEvent(sample(name), opts));
      const after = ok(parseEventAs('instanceHealth', PROMOTED.instanceHealth, sample(name), opts));
      expect(before.kind, name).toBe('other');
      expect(after.kind).toBe('instanceHealth');
      expect(keysOf(after), name).toEqual(keysOf(before));
      expect(after.arn).toBe(`${sample(name).resources[0]}#other`);
      expect(after.clusterArn).toBe(before.clusterArn);
    }
    const before = ok(parseEvent(somethingNew(), opts));
    const after = ok(parseEventAs('somethingNew', PROMOTED.somethingNew, somethingNew(), opts));
    expect(before.kind).toBe('other');
    expect(keysOf(after)).toEqual(keysOf(before));
  });

  it('finds an item logged before the promotion a duplicate of its redelivery after it, and a different event not', () => {
    const logged = toLogItem(ok(parseEvent(sample('health-2'), opts)), stamp);
    // Redelivered after the promotion, and replayed from an archive after it.
    for (const event of [sample('health-2'), { ...sample('health-2'), 'replay-name': 'after-the-promotion' }]) {
      const redelivery = ok(parseEventAs('instanceHealth', PROMOTED.instanceHealth, event, opts));
      expect({ arn: redelivery.arn, version: redelivery.version }).toEqual({
        arn: logged.arn,
        version: logged.version,
      });
      expect(isSameEventUnder(PROMOTED.instanceHealth.keys.version, redelivery.event, logged.event)).toBe(true);
    }
    // The rule of the kind it was logged under says the same.
    expect(versionRuleOf('other')).toBe(PROMOTED.instanceHealth.keys.version);
    const changed = sample('health-2');
    changed.detail.overallStatus = 'OK';
    const different = ok(parseEventAs('instanceHealth', PROMOTED.instanceHealth, changed, opts));
    expect(isSameEventUnder(PROMOTED.instanceHealth.keys.version, different.event, logged.event)).toBe(false);
  });

  it('would move the events if the promoted kind declared keys of its own (why it must not)', () => {
    const own = {
      ...PROMOTED.instanceHealth,
      keys: { partition: 'firstResource', suffix: 'event', version: 'derived' },
    } as const satisfies KindDeclaration;
    const before = ok(parseEvent(sample('health-2'), opts));
    const moved = ok(parseEventAs('instanceHealth', own, sample('health-2'), opts));
    expect(moved.arn).toBe(sample('health-2').resources[0]);
    expect(moved.arn).not.toBe(before.arn);
  });
});

describe('what is derived from KINDS', () => {
  it('the timeline shows each kind by its declared word', () => {
    expect(timelineWordOf(KINDS.task.detailType)).toBe('task');
    expect(timelineWordOf(KINDS.instance.detailType)).toBe('instance');
    expect(timelineWordOf(KINDS.serviceAction.detailType)).toBe('service');
    expect(timelineWordOf(KINDS.deployment.detailType)).toBe('deployment');
    expect(timelineWordOf(KINDS.taskObserved.detailType)).toBe('taskObserved');
    expect(timelineWordOf(KINDS.other.named.hookStateChange)).toBe('other');
    expect(timelineWordOf('ECS Something New')).toBe('other');
    expect(timelineWordOf('Log Tampered')).toBe('unknown');
    expect(timelineWordOf(KINDS.apiCall.detailType)).toBe('call');
    expect(TIMELINE_TYPES).toEqual(['task', 'instance', 'service', 'call', 'other']);
  });

  it('usage messages write each resource type in the form its kinds declare, and they agree', () => {
    expect(ARN_FORMS).toEqual({
      task: 'task/<cluster>/<id>',
      'container-instance': 'container-instance/<cluster>/<id>',
      service: 'service/<cluster>/<name>',
    });
    for (const kind of Object.values(KINDS) as KindDeclaration[]) {
      if (kind.labels.arnForm === undefined) continue;
      expect(ARN_FORMS[kind.resourceType as keyof typeof ARN_FORMS]).toBe(kind.labels.arnForm);
    }
  });

  it('the service readers take the events of the service kinds', () => {
    expect([...SERVICE_DETAIL_TYPES]).toEqual(['ECS Service Action', 'ECS Deployment State Change']);
  });

  it('history shows an event of an aside kind between the versions, with its summary, and a task event as a version', () => {
    const item = (name: string) => toLogItem(ok(parseEvent(sample(name), opts)), stamp);
    const health = historyRow(item('health-2'));
    expect(kindOfDetailType(sample('health-2')['detail-type'])).toBe('other');
    expect(isAsideRow(health)).toBe(true);
    expect(health).toMatchObject({
      detailType: 'ECS Container Instance Health Change',
      resourceArn: sample('health-2').resources[0],
      overallStatus: 'IMPAIRED',
      otherSummary: 'IMPAIRED ACCELERATED_COMPUTE=IMPAIRED (XID_46)',
    });
    const task = historyRow(item('task-1'));
    expect(isAsideRow(task)).toBe(false);
    expect(task).not.toHaveProperty('otherSummary');
    expect(task).not.toHaveProperty('resourceArn');
  });
});
