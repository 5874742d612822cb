// The log's key suffixes have one declaration (domain/keySuffixes.cjs), with who may write each; this
// suite fails when its type declaration disagrees with it, when a writer may write what it must not,
// when a kind or a marker keys by a suffix its writer may not write, or when a suffix literal appears
// in the code that reads and writes the log instead of being taken from the declaration.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import keySuffixes from '../domain/keySuffixes.cjs';
import { isObservedKind, KINDS, type Kind, partitionSuffixOf } from '../domain/kinds.js';
import { TAMPER_SUFFIX, TRUST_SUFFIX } from '../domain/tamper.js';

const { LOG_WRITERS, KEY_SUFFIXES, suffixesWrittenBy, leadingKeyPatterns, forbiddenKeyPatterns } = keySuffixes;
const ALL_KINDS = Object.keys(KINDS) as Kind[];
const SUFFIXES = Object.values(KEY_SUFFIXES).map((s) => s.suffix);

describe('key suffixes: the declaration', () => {
  it('the type declaration names exactly the suffixes and writers of the CommonJS source', () => {
    const declared = readFileSync(new URL('../domain/keySuffixes.d.cts', import.meta.url), 'utf8');
    const suffixes = [...declared.matchAll(/readonly (\w+): KeySuffix<'([^']*)'>/g)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(suffixes)).toEqual(
      Object.fromEntries(Object.entries(KEY_SUFFIXES).map(([name, s]) => [name, s.suffix])),
    );
    const writers = /export type LogWriter = ([^;]+);/.exec(declared)?.[1];
    expect(writers?.split('|').map((w) => w.trim().replaceAll("'", ''))).toEqual([...LOG_WRITERS]);
    for (const s of Object.values(KEY_SUFFIXES)) for (const w of s.writers) expect(LOG_WRITERS).toContain(w);
  });

  it('no suffix ends with another, so a `*<suffix>` pattern admits that suffix alone', () => {
    for (const a of SUFFIXES) {
      for (const b of SUFFIXES) if (a !== b && b !== '') expect(a.endsWith(b), `${a} / ${b}`).toBe(false);
    }
    expect(new Set(SUFFIXES).size).toBe(SUFFIXES.length);
  });
});

describe('key suffixes: who may write each', () => {
  it('ingest writes plain ARNs, #other, #call and #store-call only: never an observation, a missing mark or a tamper or trust marker', () => {
    expect(suffixesWrittenBy('ingest')).toEqual(['', '#other', '#call', '#store-call']);
    expect(leadingKeyPatterns('ingest')).toBeUndefined();
    expect(forbiddenKeyPatterns('ingest')).toEqual([
      '*#observed',
      '*#observed-missing',
      '*#tampered',
      '*#tamper-trusted',
    ]);
  });

  it('the reconciler writes its own partitions only', () => {
    expect(suffixesWrittenBy('reconciler')).toEqual(['#observed', '#observed-missing']);
    expect(leadingKeyPatterns('reconciler')).toEqual(['*#observed', '*#observed-missing']);
    expect(forbiddenKeyPatterns('reconciler')).toEqual([
      '*#other',
      '*#call',
      '*#store-call',
      '*#tampered',
      '*#tamper-trusted',
    ]);
  });

  it('the projector writes tamper markers only', () => {
    expect(suffixesWrittenBy('projector')).toEqual(['#tampered']);
    expect(leadingKeyPatterns('projector')).toEqual(['*#tampered']);
    expect(forbiddenKeyPatterns('projector')).toEqual([
      '*#other',
      '*#call',
      '*#store-call',
      '*#observed',
      '*#observed-missing',
      '*#tamper-trusted',
    ]);
  });

  it('the repair principal copies events back and trusts content, and never forges an observation or a tamper marker', () => {
    expect(suffixesWrittenBy('repair')).toEqual(['', '#other', '#call', '#store-call', '#tamper-trusted']);
    expect(leadingKeyPatterns('repair')).toBeUndefined();
    expect(forbiddenKeyPatterns('repair')).toEqual(['*#observed', '*#observed-missing', '*#tampered']);
  });

  it('refuses an unknown writer', () => {
    expect(() => leadingKeyPatterns('forwarder' as never)).toThrow(/unknown log writer "forwarder"/);
  });
});

describe('key suffixes: what keys by them', () => {
  it('every kind keys by a declared suffix its writer may write (ingest for events, the reconciler for its own kinds)', () => {
    for (const kind of ALL_KINDS) {
      const declared = KEY_SUFFIXES[KINDS[kind].keys.suffix];
      expect(declared, kind).toBeDefined();
      expect(declared.writers, kind).toContain(isObservedKind(kind) ? 'reconciler' : 'ingest');
      expect(partitionSuffixOf(KINDS[kind])).toBe(declared.suffix);
    }
  });

  it('the tamper and trust markers take theirs from the declaration', () => {
    expect(TAMPER_SUFFIX).toBe(KEY_SUFFIXES.tampered.suffix);
    expect(TRUST_SUFFIX).toBe(KEY_SUFFIXES.tamperTrusted.suffix);
  });

  it('every suffix keys something: a kind or a marker', () => {
    const used = new Set([...ALL_KINDS.map((k) => partitionSuffixOf(KINDS[k])), TAMPER_SUFFIX, TRUST_SUFFIX]);
    expect([...used].sort()).toEqual([...SUFFIXES].sort());
  });

  it('no code that reads or writes the log spells a suffix itself (comments aside)', () => {
    const roots = ['domain', 'infra', 'usecases', 'functions', 'local'];
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|cjs)$/.test(f) && !f.endsWith('.d.cts')) files.push(p);
      }
    };
    for (const r of roots) walk(new URL(`../${r}`, import.meta.url).pathname);
    const spelled = files
      .filter((f) => !f.endsWith(join('domain', 'keySuffixes.cjs')))
      .flatMap((f) => {
        const code = readFileSync(f, 'utf8')
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/(^|[^:])\/\/.*$/gm, '$1');
        return [
          ...code.matchAll(/#(other|call|store-call|observed-missing|observed|tampered|tamper-trusted)(?![\w-])/g),
        ].map((m) => `${f}: ${m[0]}`);
      });
    expect(files.length).toBeGreaterThan(20);
    expect(spelled).toEqual([]);
  });
});
