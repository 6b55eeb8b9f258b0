// Public API of the syntonic package: the layers usable on their own (codec, engine, servo and
// clocks, capture files and replay, native port, time-base provider).

// Time and clocks
export * from './clock/timePoint.js';
export * from './clock/clock.js';
export * from './clock/virtualClock.js';
export * from './clock/simClock.js';
export * from './clock/oscillator.js';
export * from './clock/prng.js';
export * from './clock/phcClock.js';
export * from './clock/phcDevice.js';
export * from './clock/systemClocks.js';

// Protocol: messages, codec, engine
export * from './protocol/timestamp.js';
export * from './protocol/messages.js';
export * from './protocol/decodeError.js';
export * from './protocol/codec.js';
export * from './protocol/format.js';
export * from './protocol/syncReceipt.js';
export * from './protocol/portConfig.js';
export * from './protocol/portEngine.js';
export * from './protocol/engineEvents.js';
export * from './protocol/rejection.js';
export * from './protocol/logInterval.js';

// Servo and status
export * from './servo/servoState.js';
export * from './servo/servo.js';
export * from './servo/piGains.js';
export { PiServo, type PiServoOptions, type PiTuning } from './servo/piServo.js';
export { LinregServo, type LinregServoOptions } from './servo/linregServo.js';
export { createServo } from './servo/createServo.js';
export * from './servo/clockServo.js';
export * from './servo/clockDiscipline.js';
export * from './servo/timeBaseStatus.js';
export * from './servo/clockSlave.js';
export * from './servo/syncStatus.js';
export * from './servo/quality.js';
export { HoldoverEstimator, holdoverErrorNs, type HoldoverModel } from './servo/holdover.js';

// Capture files and replay
export * from './io/captureFile.js';
export * from './io/linkType.js';
export * from './io/pcapWriter.js';
export * from './io/pcapngWriter.js';
export { CaptureWriteError } from './io/captureError.js';
export { replayFile, type ReplayFileOptions, type ReplayResult } from './io/replay/replayFile.js';
export type { ReplaySyncRecord } from './io/replay/replaySession.js';
export type { ReplaySummaryData } from './io/replay/replaySummary.js';

// Native port
export * from './io/packetSocket.js';
export { NativeAddonError, isNativeError, type NativeError } from './native/binding.js';

// Time-base provider (server and client)
export * from './provider/index.js';
