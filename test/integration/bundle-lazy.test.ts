import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '..', '..', 'dist', 'main');

/** Specifiers of a bundle's static imports and re-exports (esbuild's `import ... from "x";`, possibly multi-line). */
const staticImports = (file: string): string[] =>
  [
    ...readFileSync(join(dir, file), 'utf8').matchAll(
      /(?:^|\n)\s*(?:import|export)\s*(?:[^;"']*?\bfrom\s*)?["']([^"'\n]+)["']/g,
    ),
  ].map((m) => m[1] ?? '');

/** Everything an entry loads before its first line runs: its static imports, followed through local chunks. */
const loadedAtStart = (entry: string): { files: Set<string>; packages: Set<string> } => {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('./')) walk(spec.slice(2));
      else if (!spec.startsWith('node:')) packages.add(spec.split('/')[0] ?? spec);
    }
  };
  walk(entry);
  return { files, packages };
};

/*
 * node-opcua takes one to two seconds to load. It is loaded when the first OPC UA device collects, the first
 * OPC UA call comes, or the demo plant starts: not before the UI is served, and never on a Modbus-only gateway.
 */
describe('the built main process loads the OPC UA stack only when it is needed', () => {
  it('neither entry loads node-opcua at start; a chunk loaded later does', () => {
    if (!existsSync(join(dir, 'serve.js'))) throw new Error(`${dir} is missing: run \`npm run build\` first`);
    for (const entry of ['serve.js', 'desktop.js']) {
      const { files, packages } = loadedAtStart(entry);
      expect([...packages], entry).toEqual(expect.arrayContaining(['better-sqlite3', 'zod']));
      expect([...packages], entry).not.toContain('node-opcua');
      // The walk is real: it reached shared chunks, not only the entry.
      expect(files.size, entry).toBeGreaterThan(1);
    }
    const lazy = readdirSync(dir).filter((f) => f.endsWith('.js') && staticImports(f).includes('node-opcua'));
    expect(lazy.length).toBeGreaterThan(0);
    // Each file that imports node-opcua is reached from the entries only through import().
    const atStart = new Set([...loadedAtStart('serve.js').files, ...loadedAtStart('desktop.js').files]);
    expect(lazy.filter((f) => atStart.has(f))).toEqual([]);
  });
});
