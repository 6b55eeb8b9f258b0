/**
 * A Unix-domain datagram socket bound to a path: what linuxptp's pmc and ptp4l talk over (`uds_address`).
 * Node's standard library has no AF_UNIX SOCK_DGRAM, so the native addon provides it; this wraps it
 * with the file's mode and its removal on close.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { nativeBinding, type NativeError, type NativeUnixDatagramSocket } from '../native/binding.js';

export interface UnixDatagramHandlers {
  /** A datagram and its sender's bound path ('' when the sender is not bound: nowhere to answer). */
  readonly message: (data: Buffer, peer: string) => void;
  readonly error: (error: NativeError, fatal: boolean) => void;
}

export class UnixDatagramSocket {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly native: NativeUnixDatagramSocket,
  ) {}

  /**
   * Binds to `path` (a stale socket file is replaced, a live one refused) and sets its mode: 0660 by
   * default, as ptp4l's uds_address, so that the owner's group may run pmc.
   */
  static bind(path: string, handlers: UnixDatagramHandlers, mode = 0o660): UnixDatagramSocket {
    const native = new (nativeBinding().UnixDatagramSocket)(path, { onMessage: handlers.message, onSocketError: handlers.error });
    try {
      chmodSync(path, mode);
    } catch (err) {
      native.close();
      removeQuietly(path);
      throw err;
    }
    return new UnixDatagramSocket(path, native);
  }

  /** Sends one datagram; throws the addon's NativeError when the peer is gone (ECONNREFUSED, ENOENT) or busy. */
  sendTo(data: Uint8Array, peer: string): void {
    this.native.sendTo(data, peer);
  }

  counters(): ReturnType<NativeUnixDatagramSocket['counters']> {
    return this.native.counters();
  }

  unref(): void {
    this.native.unref();
  }

  /** Closes the socket and removes its file. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
    removeQuietly(this.path);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone (or replaced by the next owner): nothing of ours to remove.
  }
}
