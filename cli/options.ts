import type { ParseArgsConfig } from 'node:util';

/**
 * One option of a command, declared once: the parser config and the usage line are both made from it.
 * Requiredness is checked by `main` before the command runs; values by the command's parsers.
 */
interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** The value's name in the usage (`N`, `T`, `DIR`); string options only. */
  readonly value?: string;
  /** Written `--name=VALUE` in the usage (a suffix reads better glued to its option). */
  readonly joined?: boolean;
  /** What it does. Several lines are joined by `\n`; the usage indents them under the first. */
  readonly help: string;
  /** The value when the option is absent: given to the parser and shown as `(default X)`. */
  readonly default?: string;
  /** Shown in the synopsis and as `(required)`; missing, it is a usage error. */
  readonly required?: boolean;
  /** May be given several times (a string option): the value is then an array. */
  readonly multiple?: boolean;
  /** Shown in the synopsis although not required: one of several ways to call (`(--cluster C | --account ID)`). */
  readonly synopsis?: string;
}

/** A command's options by name (without the `--`), in the order the usage lists them. */
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/** The `node:util` parseArgs options of a table. */
export function parserOptions(table: OptionTable): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(table).map(([name, o]) => [
      name,
      o.type === 'string' && o.default !== undefined
        ? { type: 'string', default: o.default }
        : { type: o.type, ...(o.multiple && { multiple: true }) },
    ]),
  );
}

const flag = (name: string, o: OptionSpec): string =>
  `--${name}${o.value === undefined ? '' : `${o.joined ? '=' : ' '}${o.value}`}`;

/** Help text starts in this column; a longer flag pushes its first line to the right. */
const HELP_COLUMN = 20;

/** The usage lines of a table: `  --since T         help (default X, required)`. */
export function optionLines(table: OptionTable): string[] {
  return Object.entries(table).flatMap(([name, o]) => {
    const notes = [o.default !== undefined && `default ${o.default}`, o.required && 'required'].filter(Boolean);
    const [first = '', ...more] = `${o.help}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`.split('\n');
    const left = `  ${flag(name, o)}`;
    return [`${left.padEnd(HELP_COLUMN - 1)} ${first}`, ...more.map((line) => `${' '.repeat(HELP_COLUMN)}${line}`)];
  });
}

/** `--cluster C --since T [options]`: the required options (and synopsis forms), then `[options]` when there are others. */
export function synopsis(table: OptionTable): string {
  const entries = Object.entries(table);
  const required = entries.filter(([, o]) => o.required).map(([name, o]) => flag(name, o));
  const shown = entries.flatMap(([name, o]) => (o.required ? [flag(name, o)] : o.synopsis ? [o.synopsis] : []));
  return [...shown, ...(entries.length > required.length ? ['[options]'] : [])].join(' ');
}

/** The first required option missing from parsed values, as `--name`. */
export const missingRequired = (table: OptionTable, values: Record<string, unknown>): string | undefined =>
  Object.entries(table)
    .filter(([name, o]) => o.required && values[name] === undefined)
    .map(([name]) => `--${name}`)[0];
