// Python's `json.dumps(obj)` with its defaults, for the line the AWS guide's function prints for every
// event it gets (`print(json.dumps(event))`): separators ", " and ": " (one space after each comma and
// colon, where JSON.stringify writes none) and ensure_ascii (every character outside printable ASCII
// written as \uXXXX). The bytes the guide's function sends to CloudWatch Logs are these, not JSON.stringify's.

/** Python's escaping of a string under ensure_ascii: JSON.stringify's, plus \u escapes beyond space..tilde. */
const pyString = (s: string): string =>
  JSON.stringify(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** `json.dumps(value)` of a value parsed from JSON (what Lambda hands a Python handler). */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NaN';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyString(k)}: ${pythonJsonDumps(v)}`)
      .join(', ')}}`;
  return pyString(String(value));
}
