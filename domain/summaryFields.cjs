// The detail fields copied beside the raw event in every log item, so that the cluster timeline
// index answers `timeline` and `stopped` without reading the event body. The one list: the log item
// (domain/logItem.ts), the timeline entry, the history row and the index projection of the table
// model (infra/tables.cjs) are all derived from it. CommonJS because the table model is loaded by
// Serverless' ${file()}, which cannot load TypeScript or ESM.
'use strict';

/** Field name → the JSON type it must have to be copied (other values stay in the event only). */
const SUMMARY_FIELDS = {
  lastStatus: 'string',
  desiredStatus: 'string',
  status: 'string',
  agentConnected: 'boolean',
  stopCode: 'string',
  eventType: 'string',
  eventName: 'string',
};

module.exports = { SUMMARY_FIELDS };
