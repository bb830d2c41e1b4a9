/**
 * USB hot-plug through the `usb` library, where it loads (it needs libusb and a usable
 * /dev/bus/usb). Returns a function that stops watching; when the library is unavailable the
 * reason is reported and the caller keeps polling.
 */
export async function watchUsbHotplug(onChange: () => void, report: (message: string) => void): Promise<() => void> {
  try {
    const { usb } = await import('usb');
    // usb 3 starts an un-awaited device listing when the first listener is added; on a machine
    // without /sys/bus/usb that rejection would be unhandled, so check the listing works first.
    await usb.getDevices();
    const listener = (): void => onChange();
    usb.addEventListener('connect', listener);
    usb.addEventListener('disconnect', listener);
    report('usb: hot-plug events enabled');
    return () => {
      usb.removeEventListener('connect', listener);
      usb.removeEventListener('disconnect', listener);
    };
  } catch (err) {
    report(`usb: hot-plug unavailable (${(err as Error)?.message ?? String(err)}); polling serial ports instead`);
    return () => undefined;
  }
}
