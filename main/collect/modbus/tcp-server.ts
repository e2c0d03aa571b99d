import net from 'node:net';
import { FrameReader, encodeFrame } from './mbap.js';
import { decodeRequest, encodeException, encodeResponse } from './pdu.js';
import { ModbusExceptionError } from './errors.js';
import type { RegisterImage } from './register-image.js';

/**
 * A minimal Modbus TCP server over a RegisterImage, built on our codec. Answers synchronously (no
 * timers per request), so it keeps up with load tests. Any unit id is served.
 */
export class ModbusTcpServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  requests = 0;

  constructor(private readonly image: RegisterImage) {}

  /** Listens on host:port (port 0 = any free); resolves with the bound port. */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.serve(socket));
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        this.server = server;
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy(); // not Modbus: drop the peer like a PLC would
        return;
      }
      const out: Buffer[] = [];
      for (const f of frames) {
        this.requests++;
        let pdu: Buffer;
        try {
          pdu = encodeResponse(this.image.handle(decodeRequest(f.pdu)));
        } catch (e) {
          const fc = f.pdu[0] ?? 0;
          pdu = encodeException(fc, e instanceof ModbusExceptionError ? e.exceptionCode : 4);
        }
        out.push(encodeFrame(f.transactionId, f.unitId, pdu));
      }
      if (out.length) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    });
    socket.on('error', () => undefined); // peers vanish; nothing to report
    socket.on('close', () => this.sockets.delete(socket));
  }

  get port(): number | null {
    const a = this.server?.address();
    return typeof a === 'object' && a ? a.port : null;
  }

  /** Stops listening and drops connected clients; resolves when the port is free. */
  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
