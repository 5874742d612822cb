import { trustTampered } from '../../usecases/tampered.js';
import { parseInteger } from '../args.js';
import { withClients } from '../clients.js';
import { type Command, UsageError } from '../command.js';
import { LOG, LOG_TIMELINE } from '../iamTargets.js';
import { tamperedSection } from '../tampered.js';

const command: Command = {
  summary: "vouch for a tampered log key's current content after a deliberate fix (rebuild and verify use it again)",
  uses: [
    {
      // Writes a trust marker into the log: only the break-glass role gets through the log's PutItem lock.
      use: 'trust-tampered <arn> <version>',
      role: 'repair',
      grants: [
        { actions: ['Query'], on: [LOG_TIMELINE] },
        { actions: ['BatchGetItem', 'PutItem'], on: [LOG] },
      ],
      argv: (f) => ['trust-tampered', f.tampered.arn, String(f.tampered.version)],
    },
  ],
  about: `A log item changed after it was appended (a MODIFY on the stream) is tampered: rebuild and verify
leave it out until it holds its original content again. When an operator fixed it on purpose with
other content (a poison item repaired in place, the lock lifted: docs/operations.md "Log tampering"),
this records in the log that its current content is trusted (<arn>#tamper-trusted + version, with the
digest of what it holds now); then run \`ecs-events verify --repair\`. Once per key. On a deployment
the log takes this PutItem only from the role of logRepairPrincipalArn.`,
  positionals: ['<arn>', '<version>'],
  options: { json: { type: 'boolean', help: 'the entry as one JSON document' } },
  async run({ values, positionals, context }) {
    const [arn, version] = positionals;
    if (!arn || version === undefined) throw new UsageError('give the tampered key: <arn> <version>');
    const key = { arn, version: parseInteger(version, '<version>', 0) as number };
    const entry = await withClients(context, ({ doc, config }) => trustTampered(doc, config.tables.eventLog, key));
    if (values.json) process.stdout.write(`${JSON.stringify(entry)}\n`);
    else process.stdout.write(`${tamperedSection([entry]).trimStart()}`);
    return 0;
  },
};

export default command;
