/**
 * Per-source-address token buckets: `ratePerS` tokens a second, at most `burst` saved up. At
 * most `maxAddresses` are tracked (the least recently seen forgotten first), so a flood from many
 * addresses costs bounded memory; a forgotten address starts again with a full bucket.
 */
export interface AddressLimiter {
  /** Takes a token for this address: false when its bucket is empty. */
  take(address: string): boolean;
}

export function createAddressLimiter(ratePerS: number, burst: number, maxAddresses = 4096): AddressLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(address) {
      const now = performance.now();
      let b = buckets.get(address);
      if (b) {
        buckets.delete(address);
        b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * ratePerS);
        b.at = now;
      } else {
        if (buckets.size >= maxAddresses) buckets.delete(buckets.keys().next().value!);
        b = { tokens: burst, at: now };
      }
      // Re-inserted: Map order is then least recently seen first.
      buckets.set(address, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}
