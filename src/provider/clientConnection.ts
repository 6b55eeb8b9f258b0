/**
 * One application connected to the provider. The server never waits for it: replies and updates go
 * into the socket's write buffer, and when that backlog passes a limit the connection stops reading
 * requests and drops updates (catching up with the latest snapshot once it drains). A connection that
 * stays backlogged past a timeout is disconnected. Memory per client is thereby bounded by the limit
 * plus one message.
 */
import type { Socket } from 'node:net';
import { LineReader } from './lineReader.js';
import { errorReply, parseRequest, type ErrorCode, type Request } from './protocol.js';

export interface ConnectionLimits {
  /** Longest request line, bytes. */
  readonly maxRequestBytes: number;
  /** Write backlog beyond which updates are dropped and requests are no longer read, bytes. */
  readonly maxBacklogBytes: number;
  /** How long a connection may stay backlogged before it is disconnected, ms. */
  readonly slowClientTimeoutMs: number;
}

/** The server as a connection sees it. */
export interface ConnectionHost {
  /** The reply line for a valid request (may change `subscribed`). */
  reply(connection: ClientConnection, request: Request): string;
  /** The update line carrying the latest snapshot, for a subscriber that missed updates. */
  latestUpdate(): string;
  countRequest(): void;
  countError(code: ErrorCode): void;
  countUpdateSent(): void;
  countDroppedUpdate(): void;
  countSlowDisconnect(): void;
  /** Called after every write with the socket's backlog, bytes. */
  noteBacklog(bytes: number): void;
  closed(connection: ClientConnection): void;
}

export class ClientConnection {
  subscribed = false;
  private readonly reader: LineReader;
  private readonly maxBacklogBytes: number;
  /** An update was dropped while backlogged: send the latest snapshot once drained. */
  private missedUpdate = false;
  private readPaused = false;
  private stuckTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly limits: ConnectionLimits,
    private readonly host: ConnectionHost,
  ) {
    this.reader = new LineReader(limits.maxRequestBytes);
    // 'drain' only fires after a write that crossed the stream's high-water mark; a smaller limit
    // could leave a backlogged connection without any event to resume it.
    this.maxBacklogBytes = Math.max(limits.maxBacklogBytes, socket.writableHighWaterMark);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    // Errors (EPIPE, ECONNRESET) end the connection; 'close' follows and cleans up.
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
  }

  /** Sends an update to a subscriber, or drops it (counted) while the client is not reading. */
  sendUpdate(line: string): void {
    if (this.socket.destroyed) return;
    if (this.backlogged()) {
      this.host.countDroppedUpdate();
      this.missedUpdate = true;
      this.armStuckTimer();
      return;
    }
    this.write(line);
    this.host.countUpdateSent();
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    this.processLines();
  }

  private processLines(): void {
    while (!this.backlogged() && !this.socket.destroyed) {
      const event = this.reader.next();
      if (event === undefined) return;
      this.host.countRequest();
      if (event.kind === 'tooLong') {
        this.sendError('lineTooLong', `request line longer than ${this.limits.maxRequestBytes} bytes; discarded up to its newline`);
        continue;
      }
      const parsed = parseRequest(event.text);
      if (parsed.ok) this.write(this.host.reply(this, parsed.request));
      else this.sendError(parsed.error.code, parsed.error.message, parsed.error.id);
    }
    // Backlogged: stop reading requests until the client reads its replies.
    if (!this.readPaused && !this.socket.destroyed) {
      this.readPaused = true;
      this.socket.pause();
      this.armStuckTimer();
    }
  }

  private sendError(code: ErrorCode, message: string, id?: string | number): void {
    this.host.countError(code);
    this.write(errorReply(id === undefined ? { code, message } : { code, message, id }));
  }

  private write(line: string): void {
    this.socket.write(line);
    this.host.noteBacklog(this.socket.writableLength);
  }

  private backlogged(): boolean {
    return this.socket.writableLength > this.maxBacklogBytes;
  }

  private onDrain(): void {
    this.disarmStuckTimer();
    if (this.missedUpdate && this.subscribed) {
      this.missedUpdate = false;
      this.write(this.host.latestUpdate());
      this.host.countUpdateSent();
    }
    if (this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
      this.processLines();
    }
  }

  private armStuckTimer(): void {
    if (this.stuckTimer !== undefined) return;
    this.stuckTimer = setTimeout(() => {
      this.stuckTimer = undefined;
      if (!this.backlogged() || this.socket.destroyed) return;
      this.host.countSlowDisconnect();
      this.socket.destroy();
      this.onClose();
    }, this.limits.slowClientTimeoutMs);
    this.stuckTimer.unref();
  }

  private disarmStuckTimer(): void {
    if (this.stuckTimer !== undefined) clearTimeout(this.stuckTimer);
    this.stuckTimer = undefined;
  }

  private onClose(): void {
    this.disarmStuckTimer();
    this.host.closed(this);
  }
}
