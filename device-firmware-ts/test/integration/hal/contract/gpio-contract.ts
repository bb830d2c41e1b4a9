/**
 * What every Gpio must do, whichever board provides it (sim socket, gpiod tools on fakes): a
 * press reaches each listener once, an unsubscribed listener hears nothing, and an LED shows
 * the pattern it was given as the board makes it visible.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Gpio, LedPattern } from '../../../../src/hal/gpio.js';

export interface GpioUnderTest {
  gpio: Gpio;
  /** Presses and releases the pair button the way the board's hardware would. */
  press(): Promise<void>;
  /** The pattern the pair LED is seen to show (watched for about a second if need be). */
  seenPattern(): Promise<LedPattern>;
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

export async function gpioContract(t: GpioUnderTest): Promise<void> {
  let a = 0;
  let b = 0;
  const offA = t.gpio.onPress('pair', () => a++);
  const offB = t.gpio.onPress('pair', () => b++);
  await t.press();
  await until(() => a === 1 && b === 1);
  offB();
  await t.press();
  await until(() => a === 2);
  await sleep(200);
  assert.deepEqual([a, b], [2, 1], 'one call per press, none after unsubscribing');
  offA();

  for (const pattern of ['on', 'slow-blink', 'fast-blink', 'off'] as const) {
    t.gpio.setLed('pair', pattern);
    assert.equal(await t.seenPattern(), pattern);
  }
}
