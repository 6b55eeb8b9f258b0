/**
 * The provider protocol, version 2 (docs/provider-protocol.md): newline-delimited JSON over a Unix
 * stream socket. One request per line; every reply carries "v": 2 and echoes the request's "id".
 */

/** 2: the snapshot's `timescale` (TAI, UTC offset, leap second), `quality` and `holdover` were added. */
export const PROTOCOL_VERSION = 2;
export const DEFAULT_SOCKET_PATH = '/run/syntonic/syntonic.sock';
/** Longest request line the server accepts, bytes without the newline. */
export const DEFAULT_MAX_REQUEST_BYTES = 4096;

export type RequestOp = 'status' | 'subscribe' | 'unsubscribe' | 'version';
const REQUEST_OPS: readonly RequestOp[] = ['status', 'subscribe', 'unsubscribe', 'version'];

export type ErrorCode =
  | 'badJson' // the line is not JSON
  | 'badRequest' // JSON, but not an object with a string "op" (or a bad "id")
  | 'unknownOp' // "op" names no operation of this version
  | 'lineTooLong' // the line exceeded the limit; it was discarded up to its newline
  | 'tooManyClients'; // the server is at its client limit; the connection is closed after this reply
export const ERROR_CODES: readonly ErrorCode[] = ['badJson', 'badRequest', 'unknownOp', 'lineTooLong', 'tooManyClients'];

/** A request id is echoed verbatim; strings and finite numbers only, so it stays small and plain. */
export type RequestId = string | number;

export interface Request {
  readonly op: RequestOp;
  readonly id?: RequestId;
}

export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
  /** The id of the request, when it could be read. */
  readonly id?: RequestId;
}

export type ParsedRequest = { readonly ok: true; readonly request: Request } | { readonly ok: false; readonly error: ProtocolError };

export function parseRequest(line: string): ParsedRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return fail('badJson', `request is not JSON: ${why}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('badRequest', 'request must be a JSON object like {"op":"status"}');
  const fields = value as Record<string, unknown>;
  const id = fields['id'];
  if (id !== undefined && !isRequestId(id)) return fail('badRequest', '"id" must be a string or a finite number');
  const op = fields['op'];
  if (typeof op !== 'string') return fail('badRequest', 'request has no string "op"', id);
  if (!(REQUEST_OPS as readonly string[]).includes(op)) {
    return fail('unknownOp', `unknown op ${JSON.stringify(op.slice(0, 40))}; protocol ${PROTOCOL_VERSION} knows ${REQUEST_OPS.join(', ')}`, id);
  }
  return { ok: true, request: id === undefined ? { op: op as RequestOp } : { op: op as RequestOp, id } };
}

function isRequestId(v: unknown): v is RequestId {
  return (typeof v === 'string' && v.length <= 256) || (typeof v === 'number' && Number.isFinite(v));
}

function fail(code: ErrorCode, message: string, id?: unknown): ParsedRequest {
  return { ok: false, error: isRequestId(id) ? { code, message, id } : { code, message } };
}

/** `"id":…,` ready to splice after `{"v":2,`, or '' without an id. */
function idField(id: RequestId | undefined): string {
  return id === undefined ? '' : `"id":${JSON.stringify(id)},`;
}

export function errorReply(e: ProtocolError): string {
  return `{"v":${PROTOCOL_VERSION},${idField(e.id)}"error":${JSON.stringify({ code: e.code, message: e.message })}}\n`;
}

/**
 * A reply or update that carries a snapshot. `snapshotJson` is the serialized WireSnapshot (an
 * object); the snapshot's age is appended as its last field so that the cached serialization of a
 * published snapshot is reused for every reply.
 */
export function snapshotReply(
  op: 'status' | 'subscribe' | 'update',
  id: RequestId | undefined,
  snapshotJson: string,
  timeSinceLastSyncNs: number | null,
  errorBoundNs?: number | null,
): string {
  const bound = errorBoundNs === undefined ? '' : `,"errorBoundNs":${errorBoundNs === null ? 'null' : String(Math.ceil(errorBoundNs))}`;
  return `{"v":${PROTOCOL_VERSION},${idField(id)}"op":"${op}","snapshot":${snapshotJson.slice(0, -1)},"timeSinceLastSyncNs":${timeSinceLastSyncNs === null ? 'null' : String(timeSinceLastSyncNs)}${bound}}}\n`;
}

export interface VersionInfo {
  readonly protocolVersion: number;
  readonly implementation: string;
  readonly implementationVersion: string;
}

export function versionReply(id: RequestId | undefined, info: VersionInfo): string {
  return `{"v":${PROTOCOL_VERSION},${idField(id)}"op":"version",${JSON.stringify(info).slice(1)}\n`;
}

export function unsubscribeReply(id: RequestId | undefined): string {
  return `{"v":${PROTOCOL_VERSION},${idField(id)}"op":"unsubscribe"}\n`;
}
