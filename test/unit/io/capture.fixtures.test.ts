/**
 * The real captures in fixtures/pcaps/ (byte-for-byte copies of the shared third-party captures;
 * provenance and SHA-256 in their SOURCES.md) read completely.
 *
 * Expected values were derived independently of this code, with Debian 12's Wireshark 4.0.17 tools:
 *   capinfos -T -r -c -d <file>                    → packets, data size (sum of frame lengths, bytes)
 *   capinfos -T -r -a -e -S <file>                 → first and last packet time (s since 1970, to the ns)
 *   capinfos -t / -M, tshark -T fields -e frame.time_epoch → format and timestamp resolution
 * (Outside the tests, the reader's frame count, every timestamp, length and captured byte of all 15
 * shared captures were also compared with tshark's frame.time_epoch / frame.len / frame_raw: equal.)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCapture, readCapture } from '../../../src/io/captureFile.js';
import type { CaptureFormat, TimestampResolution } from '../../../src/io/captureFile.js';

interface Expected {
  readonly file: string;
  /** The gPTP and L2 captures must be in fixtures/pcaps; the others are checked when present. */
  readonly required: boolean;
  readonly format: CaptureFormat;
  readonly resolution: TimestampResolution;
  readonly frames: number;
  readonly dataBytes: number;
  readonly firstNs: bigint;
  readonly lastNs: bigint;
}

const US: TimestampResolution = { base: 10, exponent: 6 };
const NS: TimestampResolution = { base: 10, exponent: 9 };

// prettier-ignore
const CAPTURES: readonly Expected[] = [
  { file: 'gptp__bridge-anon_sync125ms_futlv_pdelay__scapy-gptp.pcapng', required: true, format: 'pcapng', resolution: NS, frames: 128, dataBytes: 9474, firstNs: 1615905574_344368799n, lastNs: 1615905581_123572402n },
  { file: 'gptp__embedded-buggy_broadcast_le-timestamps__daichenghe-scapy-gptp.pcapng', required: true, format: 'pcapng', resolution: US, frames: 2820, dataBytes: 235555, firstNs: 1651112335_661591000n, lastNs: 1651114071_274277000n },
  { file: 'gptp__pdelayreq-only_avb-mixed-traffic__zarfld-openavnu.pcapng', required: true, format: 'pcapng', resolution: US, frames: 6833, dataBytes: 646127, firstNs: 1753088467_847428000n, lastNs: 1753088578_233535000n },
  { file: 'ptp1588-l2__e2e_bc-gm-change__tcpdump.pcap', required: true, format: 'pcap', resolution: US, frames: 205, dataBytes: 13050, firstNs: 1582303627_869101000n, lastNs: 1582303696_873233000n },
  { file: 'ptp1588-l2__management-tlvs__tcpdump.pcap', required: true, format: 'pcap', resolution: US, frames: 10, dataBytes: 942, firstNs: 1710179012_511457000n, lastNs: 1710179049_031526000n },
  { file: 'ptp1588-l2__v2.1_pdelayreq-0180c2_linuxptp__tcpdump.pcap', required: true, format: 'pcap', resolution: US, frames: 38, dataBytes: 2414, firstNs: 1689274222_425512000n, lastNs: 1689274232_588105000n },
  { file: 'ptp1588-udp4__c37238-tlv_unicast-negotiation__pi-list.pcap', required: false, format: 'pcap', resolution: US, frames: 105, dataBytes: 30057, firstNs: 1445454185_533268000n, lastNs: 1445454195_096534000n },
  { file: 'ptp1588-udp4__e2e_basic__tcpdump.pcap', required: false, format: 'pcap', resolution: US, frames: 5, dataBytes: 460, firstNs: 1516736649_248292000n, lastNs: 1516736650_034796000n },
  { file: 'ptp1588-udp4__e2e_nanosecond-pcap__pi-list.pcap', required: false, format: 'pcap', resolution: NS, frames: 8, dataBytes: 708, firstNs: 1486566127_765647489n, lastNs: 1486566127_913430065n },
  { file: 'ptp1588-udp4__onestep_correction_dom44_unicast__tcpdump.pcap', required: false, format: 'pcap', resolution: US, frames: 3, dataBytes: 268, firstNs: 1665510746_679146000n, lastNs: 1665510746_682034000n },
  { file: 'ptp1588-udp4__p2p_ptpd2_tsp8_42min__ha1588.pcap', required: false, format: 'pcap', resolution: NS, frames: 14008, dataBytes: 1306558, firstNs: 1312261115_017114000n, lastNs: 1312263661_088134000n },
  { file: 'ptp1588-udp6__unicast-negotiation_signaling__ndpi.pcap', required: false, format: 'pcap', resolution: US, frames: 14, dataBytes: 1664, firstNs: 1316198630_678965000n, lastNs: 1316198631_064912000n },
  { file: 'ptp2draft__hirschmann-2007_l2-and-udp__wireshark-wiki-ptpv2.pcap', required: false, format: 'pcap', resolution: US, frames: 39, dataBytes: 3312, firstNs: 1186564719_342873000n, lastNs: 1186564739_817499000n },
  { file: 'ptp2draft__hirschmann-2007_vlan150-retimed__tsnzeek.pcap', required: false, format: 'pcap', resolution: US, frames: 39, dataBytes: 3468, firstNs: 1708171222_879014000n, lastNs: 1708171222_879083000n },
  { file: 'ptpv1-udp4__sync-fu-delay__ha1588.pcap', required: false, format: 'pcap', resolution: US, frames: 4, dataBytes: 528, firstNs: 1163594296_343770000n, lastNs: 1163594296_344285000n },
];

const FIXTURES = join(import.meta.dirname, '../../..', 'fixtures', 'pcaps');
const present = CAPTURES.filter((c) => c.required || existsSync(join(FIXTURES, c.file)));

describe('real captures in fixtures/pcaps', () => {
  it.each(present.map((c) => [c.file, c] as const))('%s', (_name, c) => {
    const path = join(FIXTURES, c.file);
    expect(existsSync(path), `${path} is missing`).toBe(true);
    let count = 0;
    let dataBytes = 0;
    let first: bigint | undefined;
    let last: bigint | undefined;
    for (const f of readCapture(path)) {
      count++;
      expect(f.index).toBe(count);
      expect(f.linkType).toBe(1); // all are Ethernet (SOURCES.md)
      expect(f.data.length).toBe(f.originalLength); // none was cut by a snaplen
      dataBytes += f.originalLength;
      first ??= f.timestampNs;
      last = f.timestampNs;
    }
    expect({ count, dataBytes, first, last }).toEqual({ count: c.frames, dataBytes: c.dataBytes, first: c.firstNs, last: c.lastNs });
    const s = describeCapture(path);
    expect(s.format).toBe(c.format);
    expect(s.interfaces.map((i) => i.resolution)).toEqual([c.resolution]);
  });
});
