/**
 * Public API of the time-base provider: the client applications link, the server the daemon owns, and
 * the snapshot they share. SyncStatus and TimestampingMode are not re-exported here: the servo
 * (src/servo/syncStatus.ts) and the packet socket (src/io/packetSocket.ts) export identical unions
 * under those names; use Snapshot['status'] and Snapshot['timestamping'] or theirs.
 */
export { TimeBaseClient, type ClientOptions, type SnapshotListener } from './client.js';
export { TimeBaseProvider, InvalidSnapshotError, type ProviderOptions, type ProviderStats } from './server.js';
export { ProviderError, type ProviderErrorCode } from './providerError.js';
export { SocketFileError } from './socketFile.js';
export { DEFAULT_ERROR_BOUND_MODELS, errorBoundNs, type ErrorBoundModel } from './errorBound.js';
export type { SynchronizedTime } from './timeExtrapolator.js';
export { DEFAULT_SOCKET_PATH, PROTOCOL_VERSION, type ErrorCode as ProviderProtocolErrorCode, type VersionInfo } from './protocol.js';
export {
  isNotableChange,
  type GrandmasterInfo,
  type PortInfo,
  type PortRole,
  type ReceivedSnapshot,
  type Snapshot,
  type TimeMapping,
  type UtcInfo,
} from './snapshot.js';
export { snapshotFromWire, snapshotToWire, type WireSnapshot } from './wireSnapshot.js';
