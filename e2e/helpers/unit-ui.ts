import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { startSimUnit, type SimUnit, type SimUnitOptions } from '../../testbed/sim-unit.js';
import { startCompanion, type Companion } from '../../testbed/companion.js';
import { launchChromium } from '../browser.js';

/** Where browser tests write the screenshots to look at. */
export const SHOTS = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

/** A page of system Chromium with the page's uncaught errors collected (a test ends asserting none). */
export interface CompanionPage {
  readonly page: Page;
  readonly pageErrors: string[];
  close(): Promise<void>;
}

export async function openCompanionPage(url?: string): Promise<CompanionPage> {
  mkdirSync(SHOTS, { recursive: true });
  const chromium = await launchChromium();
  const page = await chromium.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  if (url) await page.goto(url);
  return { page, pageErrors, close: () => chromium.close() };
}

export interface UnitUiOptions {
  /** Names the temporary folder (pitwall-e2e-TAG-...). */
  tag: string;
  /** The sim unit's settings (or a function of the temporary folder making them, e.g. writing its config); its data folder is TMP/unit. */
  unit: Omit<SimUnitOptions, 'dataDir'> | ((tmp: string) => Omit<SimUnitOptions, 'dataDir'>);
  /** The companion's data folder under TMP (default "owner"). */
  companionDir?: string;
  /** Hand the companion the unit's USB end (default true); false: by address only. */
  usb?: boolean;
  /** Open the companion's page at once (default true). */
  open?: boolean;
  /** Runs once the unit is up, before the companion starts (pair with the CLI, and so on). */
  beforeCompanion?: (rig: { tmp: string; unit: SimUnit; address: string }) => Promise<void>;
}

/**
 * The set-up most browser tests share: a sim unit, the companion in browser mode finding it by
 * address (and USB), and a Chromium page on the companion. close() ends them all and removes
 * the temporary folder.
 */
export interface UnitUi extends CompanionPage {
  readonly tmp: string;
  readonly unit: SimUnit;
  readonly companion: Companion;
  readonly address: string;
  /** The unit's card in the device list. */
  card(): Locator;
  /** Opens the unit panel and pairs over USB with the pair dialog; answers the panel. */
  pairInPanel(): Promise<Locator>;
}

export async function startUnitUi(o: UnitUiOptions): Promise<UnitUi> {
  const tmp = mkdtempSync(join(tmpdir(), `pitwall-e2e-${o.tag}-`));
  let unit: SimUnit | undefined;
  let companion: Companion | undefined;
  let browser: CompanionPage | undefined;
  const close = async () => {
    await browser?.close();
    await companion?.stop();
    await unit?.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    unit = await startSimUnit({ ...(typeof o.unit === 'function' ? o.unit(tmp) : o.unit), dataDir: join(tmp, 'unit') });
    const address = `127.0.0.1:${unit.ready.apiPort}`;
    await o.beforeCompanion?.({ tmp, unit, address });
    companion = await startCompanion({ dataDir: join(tmp, o.companionDir ?? 'owner'), addresses: [address], ...(o.usb === false ? {} : { serialPaths: [unit.ready.serialPath] }) });
    browser = await openCompanionPage(o.open === false ? undefined : companion.ready.url);
    const { page } = browser;
    const id = unit.ready.id;
    const card = () => page.locator(`[data-testid="device-card"][data-unit-id="${id}"]`);
    return {
      tmp,
      unit,
      companion,
      address,
      page,
      pageErrors: browser.pageErrors,
      card,
      async pairInPanel() {
        await card().getByTestId('link-usb').waitFor({ timeout: 20_000 });
        await card().click();
        const panel = page.getByTestId('unit-panel');
        await panel.getByTestId('pair-button').click();
        const dialog = page.getByTestId('pair-dialog');
        await dialog.getByTestId('pair-start').click();
        await dialog.getByTestId('pair-done').waitFor({ timeout: 20_000 });
        await dialog.getByTestId('pair-close').click();
        return panel;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
