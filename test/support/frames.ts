export * from '../../conformance/sim/masterMessages.js';
