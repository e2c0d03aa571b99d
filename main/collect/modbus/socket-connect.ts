import net from 'node:net';
import { ModbusClosedError, ModbusConnectError } from './errors.js';

/**
 * Opening a TCP socket to a Modbus device or gateway, with the wording an engineer sees when it fails.
 * Shared by Modbus TCP (MBAP) and RTU over TCP.
 */

const errnoText: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the device',
  ETIMEDOUT: 'no answer (timed out)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EPIPE: 'connection closed by the device',
  EADDRNOTAVAIL: 'address not available',
};

/** Readable reason for a socket error ("connection refused"), falling back to Node's message. */
export const describeSocketError = (err: NodeJS.ErrnoException): string =>
  (err.code && errnoText[err.code]) || err.message;

export interface SocketConnectOptions {
  host: string;
  port: number;
  /** Give up connecting after this long. */
  timeoutMs: number;
}

export interface SocketConnect {
  /** The socket being connected; connected once `done` resolves. */
  readonly socket: net.Socket;
  /** Resolves with the connected socket; rejects with ModbusConnectError, or ModbusClosedError after abort(). */
  readonly done: Promise<net.Socket>;
  /** Gives up (close() must not wait for a TCP timeout). */
  abort(): void;
}

export const socketTarget = (o: { host: string; port: number }): string => `${o.host}:${o.port}`;

export const connectSocket = (options: SocketConnectOptions): SocketConnect => {
  const target = socketTarget(options);
  const socket = net.connect({ host: options.host, port: options.port });
  socket.setNoDelay(true);
  let abort = (): void => {};
  const done = new Promise<net.Socket>((resolve, reject) => {
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () =>
        fail(
          new ModbusConnectError(`cannot connect to ${target}: no answer within ${options.timeoutMs} ms`, 'ETIMEDOUT'),
        ),
      options.timeoutMs,
    );
    const onError = (err: NodeJS.ErrnoException): void =>
      fail(new ModbusConnectError(`cannot connect to ${target}: ${describeSocketError(err)}`, err.code));
    abort = () => fail(new ModbusClosedError(`connecting to ${target} cancelled`));
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      abort = () => {};
      resolve(socket);
    });
  });
  return { socket, done, abort: () => abort() };
};
