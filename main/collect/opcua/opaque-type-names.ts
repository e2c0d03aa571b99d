import { BrowseDirection, type ClientSession } from 'node-opcua';
import type { OpaqueNamer } from './structure-fields.js';

/**
 * A structure the client could not decode carries only its encoding's node id. The engineer needs the DataType
 * (what to look up on the server), so it is found once per encoding with an inverse HasEncoding browse; until
 * the answer is in, messages name the encoding, and are renamed when it arrives.
 */
export class OpaqueTypeNames {
  private session: ClientSession | null = null;
  private readonly names = new Map<string, string>();
  private readonly asked = new Set<string>();

  constructor(private readonly onNamed: () => void) {}

  /** The session to browse with (the current connection's). */
  use(session: ClientSession): void {
    this.session = session;
  }

  readonly namer: OpaqueNamer = (encodingId) => {
    const known = this.names.get(encodingId);
    if (known) return known;
    this.lookUp(encodingId);
    return placeholder(encodingId);
  };

  /** The message with any encoding placeholder replaced by the type's name, once known. */
  rename(message: string): string {
    let out = message;
    for (const [id, name] of this.names) out = out.replace(placeholder(id), name);
    return out;
  }

  private lookUp(encodingId: string): void {
    const session = this.session;
    if (!session || this.asked.has(encodingId)) return;
    this.asked.add(encodingId);
    session
      .browse({
        nodeId: encodingId,
        browseDirection: BrowseDirection.Inverse,
        referenceTypeId: 'HasEncoding',
        includeSubtypes: true,
        resultMask: 63,
      })
      .then((r) => {
        const ref = r.references?.[0];
        if (!ref) return;
        this.names.set(encodingId, `structure type ${ref.nodeId.toString()} (${ref.browseName.name ?? '?'})`);
        this.onNamed();
      })
      // Unanswered: the message keeps naming the encoding, which is still true.
      .catch(() => undefined);
  }
}

const placeholder = (encodingId: string): string => `the structure with encoding ${encodingId}`;
