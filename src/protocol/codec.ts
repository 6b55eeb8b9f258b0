/**
 * The 802.1AS message codec: one import for decoding, encoding and building messages.
 *
 *   decodeFrame(ethernetBytes)  → DecodeResult<PtpFrame>
 *   decodeMessage(ptpBytes)     → DecodeResult<PtpMessage>
 *   encodeFrame(frame), encodeMessage(message) → Uint8Array (lossless for decoded input)
 *
 * See docs/codec.md for what is kept, what is rejected and how fast it runs.
 */
export { decodeFrame, encodeFrame, frameOctets, ptpPayloadOffset } from './ethernetFrame.js';
export { decodeMessage, encodeMessage, messageOctets, writeMessage, fixedBodyOctets } from './messageCodec.js';
export { peekHeader, HEADER_OCTETS, type HeaderPeek } from './headerCodec.js';
export { TlvLength, tlvTypeOf } from './tlvCodec.js';
export {
  ALL_PORTS,
  IntervalRequestFlag,
  buildHeader,
  gptpCapableTlv,
  makePdelayReq,
  makePdelayResp,
  makePdelayRespFollowUp,
  makeSignaling,
  messageIntervalRequestTlv,
  withMessageLength,
  type HeaderFields,
} from './messageBuilders.js';
