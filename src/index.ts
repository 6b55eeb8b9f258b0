// Public API of the syntonic package.
export * from './clock/timePoint.js';
export * from './clock/clock.js';
export * from './protocol/timestamp.js';
export * from './protocol/messages.js';
export * from './protocol/decodeError.js';
export * from './protocol/syncReceipt.js';
