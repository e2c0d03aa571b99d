/// <reference types="node" />
// Node types for this file only matter here; the renderer sources never import node modules.
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

// The renderer runs under a strict CSP (see index.html): nothing may be inlined into the HTML,
// no data: fonts, no eval. Component styles are emitted into the CSS file by the Svelte plugin.
export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: { fs: { allow: ['..'] } },
});
