import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { filesUnder } from '../helpers/files.js';
import { tempDir } from '../helpers/temp-dir.js';

// Issue 19: "Nothing else touches the sample tables." Raw samples (rows and sealed blocks) are read and deleted only
// through main/store/raw/ (raw-samples.ts). The migrations define the schema (written once, never edited) and are the
// one other place that names them.
const ALLOWED = [/^main\/store\/raw\//, /^main\/store\/migrations\.ts$/];

const TABLE = '(?:samples|sample_blocks)';
/** SQL naming a raw table: after a keyword, as a quoted name (dbstat, IN lists), in a pragma, or alone as a value. */
const RULES: { what: string; re: RegExp }[] = [
  {
    what: 'SQL on a raw table',
    re: new RegExp(`\\b(?:from|into|join|update|table|exists)\\s+["'\`[]?(?:main\\.)?${TABLE}(?![\\w.])`, 'i'),
  },
  { what: 'a quoted raw table name', re: new RegExp(`["'\`]${TABLE}["'\`]`) },
  { what: 'a pragma on a raw table', re: new RegExp(`\\(\\s*["']?${TABLE}["']?\\s*\\)`) },
  { what: 'the blocks table', re: /\bsample_blocks\b/ },
  { what: 'a raw table name as a value', re: new RegExp(`^\\s*${TABLE}\\s*$`) },
];

/** The texts of every string and template literal in a source file (comments are not code: they are left out). */
const literals = (path: string, text: string): string[] => {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push(node.text);
    else if (ts.isTemplateExpression(node)) {
      out.push([node.head.text, ...node.templateSpans.map((s) => `\${…}${s.literal.text}`)].join(''));
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true));
  return out;
};

/** Every literal in `root`/main outside the allowed places that names a raw table, as "file: what: literal". */
const violations = (root: string): string[] =>
  filesUnder(join(root, 'main'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ f, rel: relative(root, f).split(sep).join('/') }))
    .filter(({ rel }) => !ALLOWED.some((a) => a.test(rel)))
    .flatMap(({ f, rel }) =>
      literals(f, readFileSync(f, 'utf8')).flatMap((lit) =>
        RULES.filter((r) => r.re.test(lit)).map((r) => `${rel}: ${r.what}: ${lit.trim().slice(0, 80)}`),
      ),
    );

const dirs: { remove: () => void }[] = [];
afterAll(() => {
  for (const d of dirs) d.remove();
});

/** A copy of main/ in a temp folder with `files` (path under the copy: text) written into it. */
const plantedCopy = (files: Record<string, string>): string => {
  const d = tempDir('twinedge-raw-access-');
  dirs.push(d);
  cpSync('main', join(d.path, 'main'), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d.path, path)), { recursive: true });
    writeFileSync(join(d.path, path), text);
  }
  return d.path;
};

describe('raw samples are touched only through main/store/raw/', () => {
  it('no file in main/ outside main/store/raw/ (and the migrations) has SQL on samples or sample_blocks', () => {
    expect(violations('.')).toEqual([]);
  });

  it('catches each way of naming the tables in a planted copy, and none in comments or inside main/store/raw/', () => {
    const planted = [
      "export const a = 'SELECT ts, value FROM samples WHERE tag_id = ?';",
      "export const b = 'INSERT OR IGNORE INTO samples (tag_id, ts) VALUES (?, ?)';",
      "export const c = 'DELETE FROM samples WHERE tag_id = ?';",
      'export const d = `SELECT t.name FROM tags t JOIN samples s ON s.tag_id = t.id`;',
      "export const e = \"SELECT sum(pgsize) FROM dbstat('main', 1) WHERE name IN ('samples', 'rollup_1m')\";",
      "export const f = 'select n from sample_blocks';",
      "export const g = 'PRAGMA table_info(samples)';",
      "export const h: 'samples' | 'rollup_1m' = 'samples';",
      'export const i = (x: number) => `SELECT count(*) FROM samples WHERE ts < ${x}`;',
      "export const j = 'UPDATE samples SET quality = 0';",
    ];
    const clean = [
      '// Rollups are recomputed from samples; DELETE FROM samples lives in main/store/raw/.',
      "export const k = 'samples.latest';",
      "export const l = 'Alarm states are evaluated again from the first samples after the next start.';",
      "export const m = 'SELECT count(*) FROM rollup_1m';",
    ];
    const root = plantedCopy({
      'main/history/planted-raw-sql.ts': `${planted.join('\n')}\n`,
      'main/sync/planted-clean.ts': `${clean.join('\n')}\n`,
      'main/store/raw/planted-inside.ts': `${planted.join('\n')}\n`,
    });
    const found = violations(root);
    expect(found.every((v) => v.startsWith('main/history/planted-raw-sql.ts: '))).toBe(true);
    // Every planted line is caught (h twice: its type and its value), each literal at least once.
    for (const text of [
      'FROM samples WHERE tag_id',
      'INTO samples',
      'DELETE FROM samples',
      'JOIN samples',
      "'samples', 'rollup_1m'",
      'from sample_blocks',
      'table_info(samples)',
      'count(*) FROM samples WHERE ts < ${…}',
      'UPDATE samples',
    ]) {
      expect(
        found.some((v) => v.includes(text)),
        text,
      ).toBe(true);
    }
    expect(found.filter((v) => v.endsWith(': samples')).length).toBeGreaterThanOrEqual(2);
  });
});
