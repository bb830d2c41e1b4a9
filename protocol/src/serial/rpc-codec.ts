import { FrameType, encodeFrame, type Frame } from './frame-codec.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeRpcFrame(message: unknown): Uint8Array {
  return encodeFrame(FrameType.rpc, encoder.encode(JSON.stringify(message)));
}

/** Parses the JSON inside an rpc frame; returns an Error (never throws) for bad UTF-8 or JSON. */
export function decodeRpcPayload(frame: Frame): unknown {
  try {
    return JSON.parse(decoder.decode(frame.payload)) as unknown;
  } catch (err) {
    return new Error(`rpc frame is not UTF-8 JSON: ${(err as Error).message}`);
  }
}
