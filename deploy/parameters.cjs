// What each deploy parameter may be: one parser a kind of value, each error naming the parameter and
// the rule. Values come as strings from `--param` or the `params:` defaults of serverless.yml (numbers
// and booleans from the tests).
'use strict';

/** A configuration error, said in one line: Serverless prints an error's stack, which here is noise. */
function settingError(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

const text = (value) => String(value ?? '').trim();

/** 100 years: the longest period any day-count parameter sensibly takes. */
const MAX_DAYS = 36_500;

function integerSetting(name, value, { min = 0, max = MAX_DAYS } = {}) {
  const n = Number(text(value));
  if (text(value) === '' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw settingError(`parameter ${name} must be an integer from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

function booleanSetting(name, value) {
  const word = text(value).toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  throw settingError(`parameter ${name} must be true or false, got "${value}"`);
}

/** A comma-separated list ("" = none) of values matching `pattern`, without duplicates, sorted. */
function listSetting(name, value, pattern, what) {
  const items = String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== undefined) throw settingError(`parameter ${name} must be ${what} separated by commas, got "${bad}"`);
  return [...new Set(items)].sort();
}

/** A value matching `pattern`, or "" (none). */
function optionalSetting(name, value, pattern, what) {
  const given = text(value);
  if (given !== '' && !pattern.test(given))
    throw settingError(`parameter ${name} must be ${what} or empty, got "${given}"`);
  return given;
}

const accountIdsSetting = (name, value) => listSetting(name, value, /^\d{12}$/, '12-digit AWS account ids');
const clusterNamesSetting = (value) =>
  listSetting('reconcileClusters', value, /^[A-Za-z0-9_-]{1,255}$/, 'cluster names');
const organizationIdSetting = (value) =>
  optionalSetting('organizationId', value, /^o-[a-z0-9]{10,32}$/, 'an AWS Organizations id like o-a1b2c3d4e5,');
const repairPrincipalSetting = (value) =>
  optionalSetting(
    'logRepairPrincipalArn',
    value,
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    'an IAM role ARN',
  );
const alarmTopicSetting = (value) =>
  optionalSetting('alarmTopicArn', value, /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/, 'an SNS topic ARN');
/** The CloudFormation execution role of the stack (`ecs-events bootstrap`), or "". */
const deploymentRoleSetting = (value) =>
  optionalSetting(
    'deploymentRoleArn',
    value,
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
    'an IAM role ARN',
  );

/**
 * `logRepairExpiresAt`: when the repair principal's PutItem ends (the table policy's `aws:CurrentTime`
 * deny), an ISO 8601 UTC time to the second (2026-12-08T18:00:00Z). Required with a repair principal,
 * refused without one: an exemption with no end is what it replaces.
 */
function repairExpirySetting(value, principal) {
  const given = text(value);
  if (principal === '') {
    if (given !== '')
      throw settingError('parameter logRepairExpiresAt is only for logRepairPrincipalArn, which is empty');
    return '';
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(given) || Number.isNaN(Date.parse(given))) {
    throw settingError(
      `parameter logRepairExpiresAt (required with logRepairPrincipalArn) must be a UTC time like 2026-12-08T18:00:00Z, got "${given}"`,
    );
  }
  return given;
}

function logLevelSetting(value) {
  const level = String(value ?? '').toUpperCase();
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(level)) {
    throw settingError(`parameter logLevel must be DEBUG, INFO, WARN or ERROR, got "${value}"`);
  }
  return level;
}

/** Retention periods CloudWatch Logs accepts (days). */
const LOG_GROUP_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

function logGroupRetentionSetting(name, value) {
  const days = integerSetting(name, value, { min: 1, max: Math.max(...LOG_GROUP_RETENTION_DAYS) });
  if (!LOG_GROUP_RETENTION_DAYS.includes(days)) {
    throw settingError(`parameter ${name} must be one of ${LOG_GROUP_RETENTION_DAYS.join(', ')}, got "${value}"`);
  }
  return days;
}

/**
 * `eventArchiveRetentionDays`: days (1 to 36500), `forever` (EventBridge's 0: never expire), or `off`
 * (no archive at all). A bare 0 is refused: EventBridge reads it as forever, an operator may mean off.
 */
function archiveRetentionSetting(value) {
  const word = text(value).toLowerCase();
  if (word === 'off') return { enabled: false };
  if (word === 'forever') return { enabled: true, retentionDays: 0 };
  if (word === '0') {
    throw settingError(
      'parameter eventArchiveRetentionDays: 0 is ambiguous; say "forever" (never expire) or "off" (no archive)',
    );
  }
  return { enabled: true, retentionDays: integerSetting('eventArchiveRetentionDays', value, { min: 1 }) };
}

/**
 * `reconcileSchedule`: an EventBridge `rate(...)` or `cron(...)` expression, or `off` (the function is
 * deployed, its schedule rule disabled: `ecs-events reconcile` or a manual invoke still run it).
 */
function reconcileScheduleSetting(value) {
  const expression = text(value);
  if (expression.toLowerCase() === 'off') return { expression: 'rate(1 hour)', enabled: false };
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  const singular = rate && rate[1] === '1';
  if (rate && Number(rate[1]) >= 1 && singular === !rate[2].endsWith('s')) return { expression, enabled: true };
  if (/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/.test(expression)) return { expression, enabled: true };
  throw settingError(
    `parameter reconcileSchedule must be rate(1 hour), rate(N minutes|hours|days), cron(...) or off, got "${value}"`,
  );
}

/** `reconcileRate`: ECS requests a second at most (0: only the SDK's adaptive limiter). */
function reconcileRateSetting(value) {
  const rate = Number(text(value));
  if (!Number.isFinite(rate) || rate < 0 || rate > 1000) {
    throw settingError(`parameter reconcileRate must be a number from 0 to 1000 (requests a second), got "${value}"`);
  }
  return rate;
}

module.exports = {
  settingError,
  integerSetting,
  booleanSetting,
  accountIdsSetting,
  clusterNamesSetting,
  organizationIdSetting,
  repairPrincipalSetting,
  alarmTopicSetting,
  deploymentRoleSetting,
  repairExpirySetting,
  logLevelSetting,
  logGroupRetentionSetting,
  archiveRetentionSetting,
  reconcileScheduleSetting,
  reconcileRateSetting,
};
