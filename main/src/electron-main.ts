import { randomUUID } from 'node:crypto';
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { parseCli, UsageError, type ServeArgs } from './cli-args.js';
import { openRuntime, type Runtime } from './companion-runtime.js';
import { createDispatch, type Dispatch } from './handlers.js';
import { LiveWatches, handlersForClient } from './live-watches.js';
import { PRELOAD_PATH, RENDERER_DIR } from './paths.js';
import { COMMON_HEADERS, ELECTRON_CSP } from './security-headers.js';
import { readStaticFile } from './static-files.js';
import { hubTokenStore, operatorKeyPlace } from './safe-storage-store.js';

/**
 * The desktop window. The renderer is served from our own scheme (pitwall://app/), runs
 * sandboxed with context isolation and no Node, and reaches the companion only through the
 * preload's window.pitwall, whose calls are checked here: sender frame, method, params.
 */
const SCHEME = 'pitwall';
const ORIGIN = `${SCHEME}://app`;
const CALL_CHANNEL = 'pitwall:call';
const EVENT_CHANNEL = 'pitwall:event';

const log = (line: string): void => void process.stderr.write(`pitwall: ${line}\n`);

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false } }]);
app.enableSandbox();

function cliOptions(): ServeArgs {
  const argv = process.argv.slice(app.isPackaged ? 1 : 2).filter((a) => !a.startsWith('--no-sandbox'));
  try {
    const parsed = parseCli(['serve', ...argv]);
    if (parsed.command === 'serve') return parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    log(`ignoring command-line options: ${err.message}`);
  }
  return { command: 'serve', port: 0, dataDir: undefined, serialPaths: [], mdns: true, addresses: [], verbose: false };
}

function hardenSession(): void {
  const ses = session.defaultSession;
  // Every permission is refused except writing to the clipboard (the "copy unit id" button).
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
  ses.setPermissionCheckHandler((_wc, permission) => permission === 'clipboard-sanitized-write');
  ses.webRequest.onBeforeRequest((details, callback) => {
    // No remote content: only our scheme (and devtools) may load anything.
    const allowed = details.url.startsWith(`${ORIGIN}/`) || details.url.startsWith('devtools://');
    callback({ cancel: !allowed });
  });
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app' || request.method !== 'GET') return new Response('Not found', { status: 404 });
    const file = await readStaticFile(RENDERER_DIR, url.pathname);
    if (!file) return new Response('Not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: { ...COMMON_HEADERS, 'Content-Type': file.contentType, 'Content-Security-Policy': ELECTRON_CSP },
    });
  });
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

function isOurMainFrame(event: IpcMainInvokeEvent, win: BrowserWindow): boolean {
  const frame = event.senderFrame;
  return (
    !win.isDestroyed() &&
    event.sender === win.webContents &&
    frame !== null &&
    frame === win.webContents.mainFrame &&
    (frame.url === `${ORIGIN}/` || frame.url.startsWith(`${ORIGIN}/index.html`))
  );
}

function openWindow(runtime: Runtime, watches: LiveWatches): BrowserWindow {
  const clientId = randomUUID();
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Pitwall',
    backgroundColor: '#0f1216',
    show: false,
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  const dispatch: Dispatch = createDispatch(handlersForClient(runtime.handlers, watches, clientId), {
    onInternalError: (method, err) => log(`${method} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  const contents: WebContents = win.webContents;
  const unsubscribe = runtime.events.subscribe((event, payload) => {
    if (contents.isDestroyed()) return;
    if (event.startsWith('live:') && !watches.isWatching(clientId, (payload as { id: string }).id)) return;
    contents.send(EVENT_CHANNEL, { event, payload });
  });
  windows.set(contents.id, { win, dispatch });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    unsubscribe();
    windows.delete(contents.id);
    void watches.release(clientId);
  });
  void win.loadURL(`${ORIGIN}/index.html`);
  return win;
}

const windows = new Map<number, { win: BrowserWindow; dispatch: Dispatch }>();

async function boot(): Promise<void> {
  await app.whenReady();
  hardenSession();
  const opts = cliOptions();
  let keyNotice: string | null = null;
  const runtime = await openRuntime({
    ...opts,
    mode: 'electron',
    log,
    // Support export downloads go into a folder the user picks for each one.
    supportDownloads: () => ({
      folder: async ({ kind, name }) => {
        const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        const options = { title: kind === 'archive' ? `Save ${name} into…` : `Download ${name} into…`, properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
        const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      },
      deliver: (file) => ({ savedTo: file, downloadUrl: null }),
    }),
    debug: opts.verbose ? log : undefined,
    secretStore: (dataDir) => {
      const place = operatorKeyPlace(dataDir, safeStorage);
      keyNotice = place.notice;
      return place.store;
    },
    hubTokenStore: (dataDir) => hubTokenStore(dataDir, safeStorage),
  });
  const watches = new LiveWatches(runtime.handlers);

  ipcMain.handle(CALL_CHANNEL, async (event, msg: unknown) => {
    const entry = windows.get(event.sender.id);
    if (!entry || !isOurMainFrame(event, entry.win)) {
      log(`refused a call from a foreign frame (${event.senderFrame?.url ?? 'unknown'})`);
      return { ok: false, error: { code: 'forbidden', message: 'Calls are accepted from the Pitwall window only.' } };
    }
    const { method, params } = typeof msg === 'object' && msg !== null ? (msg as { method?: unknown; params?: unknown }) : {};
    return entry.dispatch(method, params);
  });

  const first = openWindow(runtime, watches);
  // Never silently: where the key is, and why it is not in a keychain, on every start.
  if (keyNotice) {
    log(keyNotice);
    void dialog.showMessageBox(first, { type: 'warning', title: 'Pitwall', message: 'Your operator key is not protected by a keychain', detail: keyNotice });
  }
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow(runtime, watches);
  });
  app.on('window-all-closed', () => {
    void runtime.close().finally(() => app.quit());
  });
}

boot().catch((err: unknown) => {
  log(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  app.exit(1);
});
