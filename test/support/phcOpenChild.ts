/**
 * Child program for test/unit/clock/phcDevice.test.ts: opens a PHC by path and prints the outcome as one JSON
 * line. Run under setpriv to see the refusal an unprivileged user gets.
 */
import { openPhcDevice } from '../../src/clock/phcDevice.js';

const path = process.argv[2] ?? '';
try {
  const device = openPhcDevice({ path });
  device.close();
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  process.stdout.write(`${JSON.stringify({ ok: false, code: err.code, syscall: err.syscall, message: err.message })}\n`);
}
