// The layers of the code base, bottom first, as the `layers/imports` ESLint rule enforces them (eslint.config.js)
// and the README states them. Each folder may import itself and the folders listed for it, nothing else of the
// project. Tests and build scripts are outside the layers.
const services = [
  'main/log',
  'main/secrets',
  'main/store',
  'main/collect',
  'main/sync',
  'main/history',
  'main/alerts',
  'main/live',
];

/** Services in order: each may import the domain and the services before it. */
const serviceLayers = Object.fromEntries(services.map((s, i) => [s, ['main/domain', ...services.slice(0, i)]]));

export const layers = {
  'main/domain': [],
  ...serviceLayers,
  'main/contract': ['main/domain'],
  'main/app': ['main/domain', 'main/contract', ...services],
  'main/server': ['main/domain', 'main/contract', 'main/app', ...services],
  'main/launch': ['main/domain'],
  'main/desktop': ['main/domain', 'main/contract', 'main/app', 'main/server', 'main/launch', ...services],
  preload: ['main/contract'],
  renderer: ['main/domain', 'main/contract'],
};

export const serviceOrder = services;
