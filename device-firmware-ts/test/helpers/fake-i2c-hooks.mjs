// Module hooks of fake-i2c-preload.ts: `i2c-bus` resolves to the fake (through the next
// resolver, tsx's, which knows how to load a .ts file).
const FAKE = new URL('./fake-i2c-bus.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  return next(specifier === 'i2c-bus' ? FAKE : specifier, context);
}
