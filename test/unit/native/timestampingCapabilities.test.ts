/**
 * ETHTOOL_GET_TS_INFO with ethtool -T's names: hand-decoded bit masks, and the loopback interface
 * through the real kernel (it always reports software timestamping and no PHC).
 */
import { describe, expect, it } from 'vitest';
import { bitNames, capabilitiesSummary, describeTimestampingInfo, timestampingCapabilities } from '../../../src/io/timestampingCapabilities.js';

describe('timestamping capabilities', () => {
  it('names a hardware NIC: flags 0x5f, PHC 0, tx off/on, rx filters none/all/ptpv2-l2-event', () => {
    // 0x5f = bits 0,1,2,3,4,6; tx 0b11 = off,on; rx (1<<0)|(1<<1)|(1<<9).
    const caps = describeTimestampingInfo('eth0', { soTimestamping: 0x5f, phcIndex: 0, txTypes: 0b11, rxFilters: 0x203 });
    expect(caps).toEqual({
      interfaceName: 'eth0',
      soTimestamping: ['hardware-transmit', 'software-transmit', 'hardware-receive', 'software-receive', 'software-system-clock', 'hardware-raw-clock'],
      phcIndex: 0,
      txTypes: ['off', 'on'],
      rxFilters: ['none', 'all', 'ptpv2-l2-event'],
      hardware: true,
      software: true,
    });
  });

  it('does not count hardware flags without a PHC as hardware timestamping', () => {
    const caps = describeTimestampingInfo('eth1', { soTimestamping: 0x45, phcIndex: -1, txTypes: 0, rxFilters: 0 });
    expect(caps.hardware).toBe(false);
    expect(caps.software).toBe(false);
    expect(capabilitiesSummary(caps)).toBe('hardware-transmit, hardware-receive, hardware-raw-clock; PTP Hardware Clock: none');
  });

  it('shows bits it has no name for by number', () => {
    expect(bitNames(0x8000_0001, ['first'])).toEqual(['first', 'bit31']);
  });

  it('reads the loopback interface: software-transmit, software-receive, software-system-clock, no PHC', () => {
    const caps = timestampingCapabilities('lo');
    expect(caps.soTimestamping).toEqual(['software-transmit', 'software-receive', 'software-system-clock']);
    expect(caps.phcIndex).toBeUndefined();
    expect(caps.software).toBe(true);
    expect(caps.hardware).toBe(false);
  });
});
