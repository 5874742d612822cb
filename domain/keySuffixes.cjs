// The log's partition keys end in one of these suffixes, and each suffix names who may write it. The
// one declaration: domain/kinds.ts keys every kind with these, and the deploy model derives every
// `dynamodb:LeadingKeys` condition from `leadingKeyPatterns` (no suffix literal in serverless.yml or
// deploy/). CommonJS because the deploy model is loaded by Serverless' ${file()}, which cannot load
// TypeScript or ESM. Suffixes never change once items are logged under them (keys are frozen).
'use strict';

/**
 * Who writes the log: `ingest` (the EventBridge events), `reconciler` (what the ECS API said),
 * `projector` (tamper markers it detects), `repair` (the break-glass principal of
 * `logRepairPrincipalArn`: the copy-back of old event images, and the word that a content is trusted).
 */
const LOG_WRITERS = Object.freeze(['ingest', 'reconciler', 'projector', 'repair']);

/** Suffix name → the suffix and the writers that may append under it. */
const KEY_SUFFIXES = Object.freeze({
  /** A task's or container instance's own versioned events, and a service's events: the plain ARN. */
  event: Object.freeze({ suffix: '', writers: Object.freeze(['ingest', 'repair']) }),
  /** Every other `ECS ...` detail-type, history only (domain/otherEvents.ts). */
  other: Object.freeze({ suffix: '#other', writers: Object.freeze(['ingest', 'repair']) }),
  /** An ECS API call (CloudTrail), filed under each resource it acts on (domain/apiCalls/). */
  call: Object.freeze({ suffix: '#call', writers: Object.freeze(['ingest', 'repair']) }),
  /** A call that changed the store's own resources (CloudTrail, the self-audit rules), filed under that resource. */
  storeCall: Object.freeze({ suffix: '#store-call', writers: Object.freeze(['ingest', 'repair']) }),
  /** A state the ECS API reported (the reconciler's observation). */
  observed: Object.freeze({ suffix: '#observed', writers: Object.freeze(['reconciler']) }),
  /** The ECS API did not know a resource whose row was not terminal. */
  observedMissing: Object.freeze({ suffix: '#observed-missing', writers: Object.freeze(['reconciler']) }),
  /** A log item was changed or removed (the projector's marker, domain/tamper.ts). */
  tampered: Object.freeze({ suffix: '#tampered', writers: Object.freeze(['projector']) }),
  /** An operator vouched for a tampered key's current content (`ecs-events trust-tampered`). */
  tamperTrusted: Object.freeze({ suffix: '#tamper-trusted', writers: Object.freeze(['repair']) }),
});

/** The suffixes one writer may append under. */
const suffixesWrittenBy = (writer) =>
  Object.values(KEY_SUFFIXES)
    .filter((s) => s.writers.includes(writer))
    .map((s) => s.suffix);

/**
 * The `dynamodb:LeadingKeys` patterns (StringLike) that admit exactly the suffixes of one writer, or
 * undefined when the writer may write plain ARNs (no suffix): no StringLike pattern admits "no suffix"
 * and refuses the others, so such a writer is held by Deny statements on the other writers' suffixes.
 */
function leadingKeyPatterns(writer) {
  const suffixes = suffixesWrittenBy(writer);
  if (suffixes.length === 0) throw new Error(`unknown log writer "${writer}"`);
  return suffixes.includes('') ? undefined : suffixes.map((s) => `*${s}`);
}

/** The patterns of every suffix a writer may NOT write (for a Deny on `dynamodb:LeadingKeys`). */
const forbiddenKeyPatterns = (writer) => {
  const own = new Set(suffixesWrittenBy(writer));
  return Object.values(KEY_SUFFIXES)
    .filter((s) => s.suffix !== '' && !own.has(s.suffix))
    .map((s) => `*${s.suffix}`);
};

module.exports = { LOG_WRITERS, KEY_SUFFIXES, suffixesWrittenBy, leadingKeyPatterns, forbiddenKeyPatterns };
