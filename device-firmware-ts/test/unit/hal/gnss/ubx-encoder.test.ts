import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cfgMsg, cfgPrtUart1, cfgRate, cfgValset, KEY } from '../../../../src/hal/gnss/ubx-messages.js';
import { encodeUbx, UbxParser } from '../../../../src/hal/gnss/ubx-frame.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// Expected frames, written out byte by byte from u-blox's documents, not from the encoder:
// the u-blox 8 / M8 receiver description (UBX-13003221) gives the layouts; the checksummed
// strings are the ones u-center's message view shows for these settings.
test('CFG-RATE frames match u-center: 5 Hz, 10 Hz and 25 Hz (measRate 200, 100, 40 ms; navRate 1; timeRef GPS)', () => {
  assert.deepEqual(cfgRate(5), hex('B5 62 06 08 06 00 C8 00 01 00 01 00 DE 6A'));
  assert.deepEqual(cfgRate(10), hex('B5 62 06 08 06 00 64 00 01 00 01 00 7A 12'));
  assert.deepEqual(cfgRate(25), hex('B5 62 06 08 06 00 28 00 01 00 01 00 3E AA'));
  assert.throws(() => cfgRate(50), RangeError);
});

test('CFG-MSG short form turns NMEA sentences off: GLL and GSV', () => {
  assert.deepEqual(cfgMsg('GLL', 0), hex('B5 62 06 01 03 00 F0 01 00 FB 11'));
  assert.deepEqual(cfgMsg('GSV', 0), hex('B5 62 06 01 03 00 F0 03 00 FD 15'));
  assert.throws(() => cfgMsg('GGA', 256), RangeError);
});

test('CFG-PRT UART1 at 115200 8N1, in UBX+NMEA+RTCM, out UBX+NMEA', () => {
  assert.deepEqual(cfgPrtUart1(115200), hex('B5 62 06 00 14 00 01 00 00 00 D0 08 00 00 00 C2 01 00 07 00 03 00 00 00 00 00 C0 7E'));
});

test('CFG-VALSET RAM layer: CFG-RATE-MEAS (key 0x30210001, U2) = 40 ms', () => {
  // Layout from the u-blox M10 interface description (version 0, layers 0x01 RAM, 2 reserved,
  // then key U4 LE and value); checksum computed by hand with the Fletcher-8 definition.
  assert.deepEqual(cfgValset([[KEY.RATE_MEAS, 40]]), hex('B5 62 06 8A 0A 00 00 01 00 00 01 00 21 30 28 00 15 41'));
  assert.equal(cfgValset([[KEY.UART1_BAUDRATE, 115200], [KEY.MSGOUT_NMEA_GSV_UART1, 0]]).length, 8 + 4 + 8 + 5);
});

test('the parser finds the ACK-ACK for CFG-RATE between NMEA lines and across chunk boundaries', () => {
  const ack = hex('B5 62 05 01 02 00 06 08 16 3F'); // the ACK u-blox documents for CFG-RATE
  const stream = Buffer.concat([Buffer.from('$GPGGA,1*00\r\n\xb5'), ack, Buffer.from('$GPRMC\r\n'), encodeUbx(0x05, 0x00, Uint8Array.of(6, 1))]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const p = new UbxParser();
    const frames = [...p.push(stream.subarray(0, cut)), ...p.push(stream.subarray(cut))];
    assert.deepEqual(
      frames.map((f) => [f.cls, f.id, [...f.payload]]),
      [
        [5, 1, [6, 8]],
        [5, 0, [6, 1]],
      ],
      `cut at ${cut}`,
    );
  }
});

test('a frame with a bad checksum is dropped and the next one is still found', () => {
  const bad = hex('B5 62 05 01 02 00 06 08 16 40');
  const good = hex('B5 62 05 01 02 00 06 08 16 3F');
  assert.deepEqual(new UbxParser().push(Buffer.concat([bad, good])).length, 1);
  // A huge claimed length does not make the parser wait for it forever.
  assert.equal(new UbxParser().push(Buffer.concat([hex('B5 62 05 01 FF FF'), good])).length, 1);
});
