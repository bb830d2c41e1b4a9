import { createHash, randomBytes } from 'node:crypto';

/** 16 random bytes, hex: every id the hub makes. */
export const newId = (): string => randomBytes(16).toString('hex');
export const nowIso = (ms: number): string => new Date(ms).toISOString();
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');
