import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gadgetMacs, setUpUsbGadget } from '../../../../src/hal/usb/gadget-configfs.js';

async function tree() {
  const dir = await mkdtemp(join(tmpdir(), 'pw-configfs-'));
  const configfs = join(dir, 'config');
  const udcDir = join(dir, 'udc');
  await mkdir(join(udcDir, 'fe980000.usb'), { recursive: true });
  return { dir, configfs, udcDir };
}

test('the gadget has a serial (ACM) and a network (NCM) function in one configuration, bound to the controller', async () => {
  const t = await tree();
  try {
    const { gadgetDir, udc } = await setUpUsbGadget({ configfs: t.configfs, udcDir: t.udcDir, serial: 'pw-0a1b2c' });
    assert.equal(gadgetDir, join(t.configfs, 'usb_gadget/pitwall'));
    assert.equal(udc, 'fe980000.usb');
    const read = (rel: string) => readFile(join(gadgetDir, rel), 'utf8').then((s) => s.trim());
    assert.equal(await read('idVendor'), '0x1d6b');
    assert.equal(await read('idProduct'), '0x0104');
    assert.equal(await read('strings/0x409/serialnumber'), 'pw-0a1b2c');
    assert.equal(await readlink(join(gadgetDir, 'configs/c.1/acm.usb0')), join(gadgetDir, 'functions/acm.usb0'));
    assert.equal(await readlink(join(gadgetDir, 'configs/c.1/ncm.usb0')), join(gadgetDir, 'functions/ncm.usb0'));
    const { host, dev } = gadgetMacs('pw-0a1b2c');
    assert.equal(await read('functions/ncm.usb0/host_addr'), host);
    assert.equal(await read('functions/ncm.usb0/dev_addr'), dev);
    assert.match(host, /^02(:[0-9a-f]{2}){5}$/, 'locally administered, unicast');
    assert.notEqual(host, dev);
    assert.equal(await read('UDC'), 'fe980000.usb', 'bound last, once every function is in place');
    // At the next boot the tree exists already: set-up runs again without failing.
    await setUpUsbGadget({ configfs: t.configfs, udcDir: t.udcDir, serial: 'pw-0a1b2c' });
    assert.deepEqual(gadgetMacs('pw-0a1b2c'), { host, dev }, 'the same addresses every boot');
  } finally {
    await rm(t.dir, { recursive: true, force: true });
  }
});

test('no controller, or a serial that is not one, is refused before anything is written', async () => {
  const t = await tree();
  try {
    await assert.rejects(setUpUsbGadget({ configfs: t.configfs, udcDir: join(t.dir, 'none'), serial: 'pw-1' }), /no USB device controller/);
    await assert.rejects(setUpUsbGadget({ configfs: t.configfs, udcDir: t.udcDir, serial: 'pw 1/../x' }), /USB serial number/);
    await assert.rejects(readFile(join(t.configfs, 'usb_gadget/pitwall/idVendor')), { code: 'ENOENT' });
  } finally {
    await rm(t.dir, { recursive: true, force: true });
  }
});
