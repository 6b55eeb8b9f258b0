/** Why a client request to the time-base provider failed. */
export type ProviderErrorCode =
  | 'unreachable' // no connection to the daemon (not running, socket missing, permission)
  | 'timeout' // no reply within the request timeout
  | 'closed' // the client was closed by its owner
  | 'protocol' // the daemon's reply could not be understood (another protocol version?)
  | 'server'; // the daemon answered with an error reply

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    /** The errno code behind an 'unreachable' error (ENOENT, ECONNREFUSED, EACCES…), or the server's error code. */
    readonly detail?: string,
  ) {
    super(message);
  }
}
