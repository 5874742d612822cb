import type { Command } from '../command.js';
import bootstrap from './bootstrap.js';
import changes from './changes.js';
import deployments from './deployments.js';
import exportCommand from './export.js';
import history from './history.js';
import iamPolicy from './iam-policy.js';
import instances from './instances.js';
import load from './load.js';
import local from './local.js';
import rebuild from './rebuild.js';
import reconcile from './reconcile.js';
import replay from './replay.js';
import report from './report.js';
import serviceEvents from './service-events.js';
import sql from './sql.js';
import stackset from './stackset.js';
import state from './state.js';
import stats from './stats.js';
import stopped from './stopped.js';
import tasks from './tasks.js';
import timeline from './timeline.js';
import trustTampered from './trust-tampered.js';
import verify from './verify.js';
import who from './who.js';

/** Every `ecs-events` command by name, in the order `ecs-events --help` lists them. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  bootstrap,
  changes,
  deployments,
  export: exportCommand,
  history,
  'iam-policy': iamPolicy,
  instances,
  load,
  local,
  rebuild,
  reconcile,
  replay,
  report,
  'service-events': serviceEvents,
  sql,
  stackset,
  state,
  stats,
  stopped,
  tasks,
  timeline,
  'trust-tampered': trustTampered,
  verify,
  who,
};
