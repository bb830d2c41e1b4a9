/**
 * The unit's USB device side, set up through the kernel's configfs USB gadget interface
 * (Documentation/usb/gadget_configfs.rst; needs dtoverlay=dwc2 on a Pi and the libcomposite
 * module): one configuration with two functions,
 * - `acm.usb0`: a CDC-ACM serial port, /dev/ttyGS0 on the unit, carrying the framed protocol;
 * - `ncm.usb0`: a CDC-NCM network link (Linux, macOS and Windows 11 drive it without an
 *   installer) for a direct USB connection to the companion; the unit's address on usb0 is set
 *   by the network configuration, not here.
 * Meant for a root one-shot at boot, before the runtime (not wired into a service yet); never
 * run by the runtime itself, which only opens /dev/ttyGS0.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, symlink, writeFile, lstat } from 'node:fs/promises';
import { join } from 'node:path';

export interface GadgetOptions {
  /** The configfs mount (tests: a temp dir standing in for it). */
  configfs?: string;
  /** Where the USB device controllers are listed; the first one is bound. */
  udcDir?: string;
  /** The unit's serial (its id): the USB serial number, and the seed of the two MAC addresses. */
  serial: string;
  name?: string;
}

/** Linux Foundation's multifunction composite gadget ids: what g_multi and most Pi gadgets use. */
export const USB_ID = { vendor: '0x1d6b', product: '0x0104', device: '0x0100', usb: '0x0200' } as const;

/** Two locally administered unicast MACs (host side, unit side) from the unit's serial: stable across boots. */
export function gadgetMacs(serial: string): { host: string; dev: string } {
  const h = createHash('sha256').update(`pitwall-usb:${serial}`).digest();
  const mac = (last: number) => [0x02, h[0]!, h[1]!, h[2]!, h[3]!, last].map((b) => b.toString(16).padStart(2, '0')).join(':');
  return { host: mac(0x01), dev: mac(0x02) };
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** Creates (or finds) the gadget and binds it; returns the controller it was bound to. */
export async function setUpUsbGadget(o: GadgetOptions): Promise<{ gadgetDir: string; udc: string }> {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(o.serial)) throw new Error(`USB serial number must be 1-64 letters, digits or dashes, got ${JSON.stringify(o.serial).slice(0, 70)}`);
  const g = join(o.configfs ?? '/sys/kernel/config', 'usb_gadget', o.name ?? 'pitwall');
  const udcs = await readdir(o.udcDir ?? '/sys/class/udc').catch(() => [] as string[]);
  if (udcs.length === 0) throw new Error('no USB device controller (is dtoverlay=dwc2 set and the port in device mode?)');
  const put = async (rel: string, value: string) => {
    await mkdir(join(g, rel, '..'), { recursive: true });
    await writeFile(join(g, rel), `${value}\n`);
  };
  await put('idVendor', USB_ID.vendor);
  await put('idProduct', USB_ID.product);
  await put('bcdDevice', USB_ID.device);
  await put('bcdUSB', USB_ID.usb);
  await put('strings/0x409/serialnumber', o.serial);
  await put('strings/0x409/manufacturer', 'Pitwall');
  await put('strings/0x409/product', 'Pitwall lap timer');
  await put('configs/c.1/strings/0x409/configuration', 'serial + network');
  await put('configs/c.1/MaxPower', '250');
  await mkdir(join(g, 'functions/acm.usb0'), { recursive: true });
  const macs = gadgetMacs(o.serial);
  await put('functions/ncm.usb0/host_addr', macs.host);
  await put('functions/ncm.usb0/dev_addr', macs.dev);
  for (const f of ['acm.usb0', 'ncm.usb0']) {
    const link = join(g, 'configs/c.1', f);
    if (!(await exists(link))) await symlink(join(g, 'functions', f), link);
  }
  const udc = udcs.sort()[0]!;
  await writeFile(join(g, 'UDC'), `${udc}\n`);
  return { gadgetDir: g, udc };
}
