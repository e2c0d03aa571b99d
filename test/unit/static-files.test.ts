import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStatic } from '../../main/server/static-files.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('static files of the built renderer', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
    mkdirSync(join(dir.path, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir.path, 'renderer', 'index.html'), '<!doctype html>');
    writeFileSync(join(dir.path, 'renderer', 'assets', 'app.js'), 'export {}');
    writeFileSync(join(dir.path, 'secret.txt'), 'outside');
  });
  afterEach(() => dir.remove());

  it.each([join('renderer'), join('renderer') + '/'])('serves index and assets from root %s', async (sub) => {
    const root = join(dir.path, sub);
    expect((await readStatic(root, '/'))?.type).toBe('text/html; charset=utf-8');
    expect((await readStatic(root, '/assets/app.js'))?.body.toString()).toBe('export {}');
  });

  it('never serves a file outside the renderer folder', async () => {
    const root = join(dir.path, 'renderer') + '/';
    expect(await readStatic(root, '/../secret.txt')).toBeNull();
    expect(await readStatic(root, '/%2e%2e/secret.txt')).toBeNull();
    expect(await readStatic(root, '/%E0%A4%A')).toBeNull();
    expect(await readStatic(root, '/missing.js')).toBeNull();
  });
});
