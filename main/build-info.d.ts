/** Replaced at build time by build/bundle.mjs with package.json's version. */
declare const __TWINEDGE_VERSION__: string;
