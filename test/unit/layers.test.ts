import { rmSync, writeFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

// The layer rule as `npm run lint` runs it (the project's eslint.config.js, with type information), on files
// planted in the tree: an upward import must fail lint, a downward one must not.
const planted: string[] = [];
const plant = (path: string, text: string): string => {
  writeFileSync(path, text);
  planted.push(path);
  return path;
};
afterAll(() => {
  for (const p of planted) rmSync(p, { force: true });
});

const layerErrors = async (file: string): Promise<string[]> => {
  const [result] = await new ESLint().lintFiles([file]);
  return (result?.messages ?? []).filter((m) => m.ruleId === 'layers/imports').map((m) => m.message);
};

describe('import layers (eslint layers/imports)', () => {
  it('a service importing the contract fails lint, naming both layers', async () => {
    const file = plant(
      'main/store/planted-upward-import.ts',
      "import type { CallName } from '../contract/wire.js';\n\nexport const planted = (n: CallName): string => n;\n",
    );
    const errors = await layerErrors(file);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('main/store may not import main/contract');
  }, 120_000);

  it('the domain importing a service fails; a service importing the domain and a lower service passes', async () => {
    const up = plant(
      'main/domain/planted-upward-import.ts',
      "import type { Logger } from '../log/logger.js';\n\nexport type Planted = Logger;\n",
    );
    const down = plant(
      'main/sync/planted-downward-import.ts',
      "import type { Sample } from '../domain/sample/sample.js';\nimport type { Store } from '../store/store.js';\n\nexport type Planted = [Sample, Store];\n",
    );
    expect(await layerErrors(up)).toEqual([expect.stringContaining('main/domain may not import main/log')]);
    expect(await layerErrors(down)).toEqual([]);
  }, 120_000);

  it('the renderer importing main outside domain and contract fails', async () => {
    const file = plant(
      'renderer/src/lib/planted-upward-import.ts',
      "import type { Store } from '../../../main/store/store.js';\n\nexport type Planted = Store;\n",
    );
    expect(await layerErrors(file)).toEqual([expect.stringContaining('renderer may not import main/store')]);
  }, 120_000);
});
