// Bundles the main-process entries and the preload with esbuild (the renderer is built by Vite).
// Packages stay external: node_modules ships beside dist/ in the app and in browser mode.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  define: { __TWINEDGE_VERSION__: JSON.stringify(version) },
};

await Promise.all([
  build({
    ...common,
    entryPoints: {
      serve: 'main/server/serve.ts',
      desktop: 'main/desktop/main.ts',
      launch: 'main/launch/launch.ts',
    },
    outdir: 'dist/main',
    format: 'esm',
    packages: 'external',
    // Code reached only through import() goes in chunks of its own, loaded when first needed: the OPC UA
    // modules (and node-opcua, about 2 s to load) wait for the first OPC UA device, call or demo plant.
    splitting: true,
    chunkNames: '[name]-[hash]',
  }),
  // Sandboxed preloads must be a single CommonJS file: only `electron` may be required.
  build({
    ...common,
    entryPoints: { preload: 'preload/preload.ts' },
    outdir: 'dist/preload',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    external: ['electron'],
  }),
]);
