import type { Command } from '../command.js';
import changes from './changes.js';
import deployments from './deployments.js';
import history from './history.js';
import instances from './instances.js';
import load from './load.js';
import local from './local.js';
import rebuild from './rebuild.js';
import report from './report.js';
import serviceEvents from './service-events.js';
import state from './state.js';
import stats from './stats.js';
import stopped from './stopped.js';
import tasks from './tasks.js';
import timeline from './timeline.js';
import verify from './verify.js';

/** Every `ecs-events` command by name, in the order `ecs-events --help` lists them. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  changes,
  deployments,
  history,
  instances,
  load,
  local,
  rebuild,
  report,
  'service-events': serviceEvents,
  state,
  stats,
  stopped,
  tasks,
  timeline,
  verify,
};
