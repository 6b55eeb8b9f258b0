/**
 * The nftables pieces both shared-port fan-outs use (sharedPortHub.ts, macvlanPort.ts): how a rule
 * names a Pdelay answer and its requester, and loading a ruleset into one of the lab's namespaces
 * (netdev family: it lives and dies with that namespace, never on the machine's own interfaces).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageType } from '../../src/protocol/messages.js';
import { LabError, type Lab } from './netns.js';

/** messageType of Pdelay_Resp and Pdelay_Resp_Follow_Up (IEEE 1588-2019 Table 36), as an nftables set. */
const PDELAY_ANSWERS = `{ 0x${MessageType.PdelayResp.toString(16)}, 0x${MessageType.PdelayRespFollowUp.toString(16)} }`;

/** A gPTP frame that is a Pdelay answer (bit offsets from the Ethernet header: the messageType nibble). */
export const PDELAY_ANSWER_MATCH = `ether type 0x88f7 @ll,116,4 ${PDELAY_ANSWERS}`;

/** The answer's requestingPortIdentity.clockIdentity (PTP octet 44, 802.1AS-2020 11.4.6.3), 64 bits from the Ethernet header. */
export const REQUESTING_CLOCK_IDENTITY_BITS = '@ll,464,64';

/** Writes `ruleset` to a file of the lab's and loads it in `namespace` (`where` names the fan-out in errors). */
export function loadNftRuleset(lab: Lab, namespace: string, ruleset: string, where: string): void {
  if (spawnSync('sh', ['-c', 'command -v nft']).status !== 0) throw new LabError('nft is not installed (Debian: apt install nftables)', where);
  const rulesPath = join(lab.tempDir('nft'), `${where.replace(/\W+/g, '-')}.nft`);
  writeFileSync(rulesPath, ruleset);
  lab.exec(namespace, ['nft', '-f', rulesPath]);
}
