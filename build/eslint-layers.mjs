// ESLint rule `layers/imports`: a relative import may only point at the file's own layer or a layer listed for it
// in build/layers.mjs (in the spirit of VS Code's code-layering rule). Resolved by path, so '../../contract/x.js'
// and 'main/contract/x' are the same thing.
import path from 'node:path';
import { layers } from './layers.mjs';

const root = path.resolve(import.meta.dirname, '..');
const names = Object.keys(layers).sort((a, b) => b.length - a.length);
const layerOf = (file) => {
  const rel = path.relative(root, file).split(path.sep).join('/');
  return names.find((n) => rel === n || rel.startsWith(`${n}/`)) ?? null;
};

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports run one way: shells -> app -> services -> domain (build/layers.mjs).' },
    messages: {
      upward:
        '{{from}} may not import {{to}}: {{from}} imports only {{allowed}} (the layers in build/layers.mjs and the README).',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (!from) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(path.resolve(path.dirname(file), spec));
      if (!to || to === from || layers[from].includes(to)) return;
      const allowed = layers[from].length ? layers[from].join(', ') : 'itself';
      context.report({ node, messageId: 'upward', data: { from, to, allowed } });
    };
    return {
      ImportDeclaration: (n) => check(n.source, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
      ExportAllDeclaration: (n) => check(n.source, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n.source, n.source.value),
    };
  },
};

export default { rules: { imports: rule } };
