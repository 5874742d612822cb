import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_REPLAY_STATES, isReplayName, replayName, replayRequest } from '../../domain/replay.js';
import { toIso } from '../../domain/time.js';
import { nameFailedRequests } from '../../infra/awsErrors.js';
import {
  createEventBridgeClient,
  describeReplay,
  findReplayTarget,
  type ReplayStatus,
  startReplay,
} from '../../infra/eventArchive.js';
import { parseClosedWindow, parseDuration, TIME_NOTE } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { deployedNames } from '../stageNames.js';

const statusLine = (s: ReplayStatus): string =>
  [
    `replay ${s.name}: ${s.state}`,
    s.reason ? ` (${s.reason})` : '',
    s.lastReplayedMs !== undefined ? `, replayed up to ${toIso(s.lastReplayedMs)}` : '',
  ].join('');

const replay: Command = {
  summary: 'replay a time window of the EventBridge archive to the ingest rule (after an outage)',
  uses: [
    {
      use: 'replay --since T --wait',
      role: 'operator',
      grants: [
        { actions: ['DescribeArchive'], on: [{ archive: true }] },
        { actions: ['DescribeRule'], on: [{ ingestRule: true }] },
        { actions: ['StartReplay', 'DescribeReplay'], on: [{ replays: true }] },
      ],
      argv: (f) => ['replay', '--since', '2h', '--stage', f.stage, '--wait', '--poll-interval', '10ms'],
    },
  ],
  about: `Starts an EventBridge replay of the ingest bus's archive (deployed unless eventArchiveRetentionDays
is off) for the events of [since, until), to the ingest rule only: EventBridge StartReplay with the
rule as the only FilterArn. Replayed events carry a top-level "replay-name"; ingest ignores it for
keys and duplicates, so what the log already holds stays as it is and only what it lacks is
appended. The archive and the rule are found by name (DescribeArchive, DescribeRule), from the
stage or as given. Region and credentials: the AWS SDK's own (AWS_REGION, AWS_PROFILE, ...), in the
store's account. Runbook: docs/operations.md "Replay from the archive".`,
  options: {
    since: { type: 'string', value: 'T', required: true, help: 'first event time to replay, inclusive' },
    until: { type: 'string', value: 'T', help: 'end of the window, exclusive (default: now)' },
    stage: {
      type: 'string',
      value: 'S',
      default: 'dev',
      help: 'the deployment: archive and rule ecs-event-store-<S>-ecs-events',
    },
    archive: { type: 'string', value: 'NAME', help: 'the archive, if not the stage one' },
    rule: { type: 'string', value: 'NAME', help: 'the ingest rule, if not the stage one' },
    name: { type: 'string', value: 'N', help: 'the replay name (default: ecs-events-<since>-<random>)' },
    wait: { type: 'boolean', help: 'wait until the replay has finished (exit 1 if it failed or was cancelled)' },
    'poll-interval': { type: 'string', value: 'D', default: '10s', help: 'how often --wait asks' },
    'dry-run': { type: 'boolean', help: 'find the archive and the rule, print the StartReplay request, start nothing' },
  },
  notes: [
    TIME_NOTE,
    'Exit codes: 0 started (or, with --wait, completed), 1 failed or cancelled (--wait), 2 usage, 3 the archive',
    'or the rule not found, or EventBridge failed.',
  ],
  async run({ values }) {
    const { sinceMs, untilMs } = parseClosedWindow(values);
    // The deploy's own naming function checks the stage, in the deploy's words (a usage error).
    const names = deployedNames(String(values.stage));
    const name = (values.name as string | undefined) ?? replayName(sinceMs, randomBytes(3).toString('hex'));
    if (!isReplayName(name))
      throw new UsageError(`--name must be 1 to 64 of . - _ letters and digits, got ${JSON.stringify(name)}`);
    const pollMs = parseDuration(values['poll-interval'], '--poll-interval');

    const client = nameFailedRequests(createEventBridgeClient());
    try {
      const target = await findReplayTarget(
        client,
        (values.archive as string | undefined) ?? names.archive,
        (values.rule as string | undefined) ?? names.rule,
      );
      const request = replayRequest(target, { sinceMs, untilMs }, name);
      if (values['dry-run']) {
        process.stdout.write(`${JSON.stringify(request, null, 2)}\n`);
        process.stderr.write('dry run: no replay started\n');
        return 0;
      }
      let status = await startReplay(client, request);
      process.stdout.write(
        `${statusLine(status)}\n  archive ${target.archiveArn}\n  window  ${toIso(sinceMs)} .. ${toIso(untilMs)}\n  to rule ${target.ruleArn}\n`,
      );
      if (!values.wait) return 0;
      for (;;) {
        status = await describeReplay(client, name);
        if ((FINAL_REPLAY_STATES as readonly string[]).includes(status.state)) break;
        process.stderr.write(`${statusLine(status)}\n`);
        await sleep(pollMs);
      }
      process.stdout.write(`${statusLine(status)}\n`);
      return status.state === 'COMPLETED' ? 0 : 1;
    } finally {
      client.destroy();
    }
  },
};

export default replay;
