/**
 * A tag's browse path as one string (the tag config field `browsePath`): where the node sits below the Objects folder,
 * each step a browse name qualified by its namespace URI, not its index, so it still means the same node after a PLC
 * download renumbers node ids or shifts the server's namespace array.
 *
 *   /[urn:plc]Plant/[urn:plc]Pump1/[urn:plc]Flow
 *
 * - Each step is "/" + "[" namespace URI "]" + browse name, followed along any hierarchical reference (Organizes,
 *   HasComponent, HasProperty, ...), forward, as OPC UA's relative path "/" does.
 * - A step without "[...]" is in namespace 0 (the OPC UA namespace, http://opcfoundation.org/UA/).
 * - Inside a name, "/", "[", "]" and "&" are written "&/", "&[", "&]", "&&" (OPC UA's relative path escape);
 *   inside a URI, "]" and "&" are written "&]" and "&&".
 * - '' means "not known"; a path is never "/" alone (the Objects folder is no tag).
 *
 * Pure functions, no node-opcua: the renderer, the config and the collector share them.
 */

export const OPC_UA_NAMESPACE = 'http://opcfoundation.org/UA/';

/** One step below the Objects folder: a browse name in the namespace with this URI. */
export interface BrowsePathStep {
  namespaceUri: string;
  name: string;
}

export class BrowsePathError extends Error {
  readonly code = 'browse_path';
  constructor(message: string) {
    super(message);
    this.name = 'BrowsePathError';
  }
}

const escapeName = (s: string): string => s.replace(/[&/[\]]/g, (c) => `&${c}`);
const escapeUri = (s: string): string => s.replace(/[&\]]/g, (c) => `&${c}`);

/** The `browsePath` text of these steps ('' for none). */
export const formatBrowsePath = (steps: readonly BrowsePathStep[]): string =>
  steps.map((s) => `/[${escapeUri(s.namespaceUri)}]${escapeName(s.name)}`).join('');

/** One more step below a known path: what a browse tree needs when it opens a child ('' parent = the Objects folder). */
export const appendBrowsePath = (parent: string, step: BrowsePathStep): string => parent + formatBrowsePath([step]);

/** The steps of a `browsePath` text ('' gives none); a malformed text throws BrowsePathError saying where. */
export const parseBrowsePath = (text: string): BrowsePathStep[] => {
  if (text === '') return [];
  const steps: BrowsePathStep[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new BrowsePathError(`browse path "${text}": ${what} at character ${i + 1}`);
  };
  while (i < text.length) {
    if (text[i] !== '/') fail('expected "/"');
    i++;
    let namespaceUri = OPC_UA_NAMESPACE;
    if (text[i] === '[') {
      i++;
      let uri = '';
      while (i < text.length && text[i] !== ']') {
        if (text[i] === '&') i++;
        if (i >= text.length) fail('unfinished "&" escape');
        uri += text[i];
        i++;
      }
      if (text[i] !== ']') fail('missing "]" after the namespace URI');
      i++;
      if (uri === '') fail('empty namespace URI');
      namespaceUri = uri;
    }
    let name = '';
    while (i < text.length && text[i] !== '/') {
      const c = text[i];
      if (c === '[' || c === ']') fail(`"${c}" in a name must be written "&${c}"`);
      if (c === '&') {
        i++;
        if (i >= text.length) fail('unfinished "&" escape');
      }
      name += text[i];
      i++;
    }
    if (name === '') fail('empty browse name');
    steps.push({ namespaceUri, name });
  }
  return steps;
};

/** The path's steps as plain text for messages ("Plant/Pump1/Flow"), without namespace URIs. */
export const describeBrowsePath = (text: string): string => {
  try {
    const steps = parseBrowsePath(text);
    return steps.length ? steps.map((s) => s.name).join('/') : '(none)';
  } catch {
    return text;
  }
};
