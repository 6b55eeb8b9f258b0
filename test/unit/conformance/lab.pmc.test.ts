/** The lab reads a grandmaster's own peer delay per port from pmc's PORT_DATA_SET output. */
import { describe, expect, it } from 'vitest';
import { parsePortDataSets } from '../../../conformance/lab/pmc.js';

// pmc 3.1.1, `pmc -u -b 0 -t 1 -s UDS 'GET PORT_DATA_SET'` on a two-port ptp4l grandmaster.
const OUTPUT = [
  'sending: GET PORT_DATA_SET',
  '\tdae284.fffe.8cb5c4-1 seq 0 RESPONSE MANAGEMENT PORT_DATA_SET ',
  '\t\tportIdentity            dae284.fffe.8cb5c4-1',
  '\t\tportState               MASTER',
  '\t\tlogMinDelayReqInterval  0',
  '\t\tpeerMeanPathDelay       1369',
  '\t\tlogAnnounceInterval     0',
  '\t\tdelayMechanism          2',
  '\tdae284.fffe.8cb5c4-2 seq 0 RESPONSE MANAGEMENT PORT_DATA_SET ',
  '\t\tportIdentity            dae284.fffe.8cb5c4-2',
  '\t\tportState               LISTENING',
  '\t\tpeerMeanPathDelay       0',
  '\t\tdelayMechanism          2',
  '',
].join('\n');

describe('parsePortDataSets', () => {
  it('gives each port its state and peerMeanPathDelay in ns', () => {
    expect(parsePortDataSets(OUTPUT)).toEqual([
      { portIdentity: 'dae284.fffe.8cb5c4-1', portNumber: 1, portState: 'MASTER', peerMeanPathDelayNs: 1369 },
      { portIdentity: 'dae284.fffe.8cb5c4-2', portNumber: 2, portState: 'LISTENING', peerMeanPathDelayNs: 0 },
    ]);
  });

  it('finds nothing in the output of a pmc nobody answered (wrong transportSpecific)', () => {
    expect(parsePortDataSets('sending: GET PORT_DATA_SET\n')).toEqual([]);
  });
});
