/**
 * Frames counted per messageType, in the order the types were first seen (the order summaries list
 * them in). Counted on every frame, so it indexes an array by the 4-bit messageType instead of
 * naming the type each time.
 */
import { messageTypeName } from './format.js';

/** messageType is a 4-bit field (802.1AS-2020 10.6.2.2.2). */
const MESSAGE_TYPES = 16;

export class MessageCounters {
  private readonly counts = new Array<number>(MESSAGE_TYPES).fill(0);
  private readonly firstSeen: number[] = [];

  count(messageType: number): void {
    const type = messageType & (MESSAGE_TYPES - 1);
    if (this.counts[type] === 0) this.firstSeen.push(type);
    this.counts[type] = (this.counts[type] as number) + 1;
  }

  /** Message name (as messageTypeName) → count, in first-seen order. */
  toRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const type of this.firstSeen) out[messageTypeName(type)] = this.counts[type] as number;
    return out;
  }
}
