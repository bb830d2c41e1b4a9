import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { LogLevel } from '../ops/log-record.js';

/**
 * The unit's configuration, read from /etc/pitwall/unit.json (or `--config FILE`) and
 * overridden by command-line flags. Every default lives here and nowhere else.
 */
const closed = <T extends Parameters<typeof Type.Object>[0]>(props: T, description: string) =>
  Type.Object(props, { additionalProperties: false, default: {}, description });
const num = (min: number, max: number, def: number, description: string) => Type.Number({ minimum: min, maximum: max, default: def, description });
const int = (min: number, max: number, def: number, description: string) => Type.Integer({ minimum: min, maximum: max, default: def, description });
const path = (description: string, def?: string) => Type.String({ minLength: 1, maxLength: 4096, description, ...(def === undefined ? {} : { default: def }) });

export const UnitConfig = closed(
  {
    dataDir: path('persistent state: identity, sessions, health, crash dumps', '/var/lib/pitwall'),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 63, pattern: '\\S', description: 'unit name (default Pitwall-XXXX from the unit id)' })),
    api: closed(
      {
        port: int(0, 65535, 443, 'HTTPS API port, 0 = any free port'),
        host: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'address the API listens on (default: every address)' })),
        mdns: Type.Boolean({ default: true, description: 'advertise over mDNS' }),
      },
      'the HTTPS API',
    ),
    pairingWindowS: num(1, 3600, 120, 'seconds network pairing stays open after a press of the pair button'),
    logs: closed(
      {
        dir: Type.Optional(path('structured log directory (default DATA_DIR/logs)')),
        level: Type.Union([...LogLevel.anyOf], { default: 'debug', description: 'lowest level written' }),
      },
      'structured logs',
    ),
    health: closed(
      {
        intervalS: num(0.1, 86400, 60, 'seconds between health snapshots'),
        diskLowMb: num(0, 1e7, 64, 'free space on the data partition under which debug logging stops'),
      },
      'health snapshots',
    ),
    update: closed(
      {
        keysDir: path('pinned vendor public keys (every *.pem), shipped with the runtime', '/usr/lib/pitwall/vendor-keys'),
        slotMb: num(1, 65536, 256, 'capacity of a runtime slot: a larger bundle payload is refused'),
        deadlineS: num(1, 86400, 600, 'a pushed bundle must arrive whole within this many seconds'),
        idleS: num(1, 3600, 30, 'a push silent this many seconds is cut'),
      },
      'runtime updates pushed to the unit',
    ),
    hangTimeoutS: num(0, 3600, 10, 'seconds the event loop may be blocked before a hang dump and exit (0 = off)'),
    imu: closed({ rateHz: num(1, 1000, 100, 'IMU (LSM6DSOX) sample rate') }, 'the IMU'),
    sessions: closed(
      {
        auto: Type.Boolean({ default: true, description: 'start and stop sessions by motion' }),
        startKmh: num(1, 400, 15, 'moving means at or above this speed'),
        startS: num(0, 3600, 3, 'moving this long starts a session'),
        stopS: num(1, 86400, 30, 'stopped this long ends it'),
      },
      'automatic sessions',
    ),
    network: closed(
      {
        nmcli: Type.Optional(path('the nmcli executable the Wi-Fi is managed through (default nmcli on a unit; a sim manages no Wi-Fi unless given one, e.g. a stand-in that replays recorded output)')),
        ifname: Type.String({ minLength: 1, maxLength: 15, pattern: '^[A-Za-z0-9_.-]+$', default: 'wlan0', description: 'the Wi-Fi interface' }),
        connectionsDir: Type.Optional(path("NetworkManager's keyfile folder, written directly (default: in a sim DATA_DIR/nm-connections; on a unit none: keyfiles go through DATA_DIR/nm-outbox and pitwall-nm-load@.service)")),
        timeoutS: num(1, 600, 20, 'seconds one nmcli call may take'),
        connectTimeoutS: num(1, 600, 45, 'seconds a connect may take, up to an address'),
        hotspotSsid: Type.Optional(Type.String({ minLength: 1, maxLength: 32, pattern: '^[\\x20-\\x7e]+$', description: "the hotspot's SSID, as on the unit's label (default: the unit name)" })),
        hotspotPskFile: Type.Optional(path("0600 file with the hotspot password on the unit's label (default DATA_DIR/wifi/hotspot-psk, made at first boot)")),
        firstSetupWindowS: num(0, 86400, 900, 'seconds after boot a unit without an owner takes Wi-Fi setup over USB from anyone (0 = never)'),
      },
      'Wi-Fi provisioning through NetworkManager',
    ),
    hardware: closed(
      {
        gnssPath: path('serial port of the GNSS receiver', '/dev/serial0'),
        gnssBaud: int(1200, 921600, 115200, 'baud rate of the GNSS receiver'),
        gnssAutoBaud: Type.Boolean({ default: false, description: 'find the receiver\'s baud rate (the common rates, where NMEA with good checksums arrives) instead of gnssBaud' }),
        ubloxRateHz: int(0, 25, 10, 'navigation rate set on a u-blox receiver with UBX messages (10 or 25 Hz; 0 = leave the receiver as it is)'),
        ubloxBaud: int(0, 921600, 0, 'baud rate to switch a u-blox receiver to (0 = keep its rate)'),
        i2cBus: int(0, 255, 1, 'I2C bus number of the IMU (/dev/i2c-N; 1 on the Raspberry Pi header)'),
        imuAddress: int(0x6a, 0x6b, 0x6a, 'I2C address of the LSM6DSOX (106 = 0x6a with SA0 low, 107 = 0x6b)'),
        gpioChip: Type.String({ minLength: 9, maxLength: 12, pattern: '^gpiochip[0-9]{1,3}$', default: 'gpiochip0', description: 'GPIO character device of the buttons, switches and LEDs' }),
        gpioDebounceMs: int(1, 1000, 30, 'a button or switch level counts once it held this long'),
        pairButtonLine: int(0, 511, 17, 'GPIO line of the pair button (to ground, pull-up)'),
        recoveryButtonLine: int(0, 511, 27, 'GPIO line of the recovery button'),
        supportSwitchLine: int(0, 511, 22, 'GPIO line of the support-mode switch'),
        hotspotSwitchLine: int(0, 511, 23, 'GPIO line of the hotspot latch'),
        pairLedLine: int(0, 511, 5, 'GPIO line of the pair LED (active high)'),
        supportLedLine: int(0, 511, 6, 'GPIO line of the support LED'),
        usbGadgetPath: path('USB CDC-ACM gadget port the framed protocol is served on', '/dev/ttyGS0'),
      },
      'the real hardware profile',
    ),
    support: closed(
      {
        relay: Type.Optional(
          Type.Object(
            {
              host: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9.:-]+$', description: 'relay host name or address' }),
              port: int(1, 65535, 22, 'relay SSH port'),
              user: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z_][a-z0-9_-]*$', default: 'pitwall-relay', description: 'relay account the tunnel logs in as' }),
              hostKey: Type.String({ minLength: 20, maxLength: 2000, pattern: '^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+/=]+$', description: "the relay's pinned host key (\"ssh-ed25519 AAAA...\")" }),
              listenPort: int(1024, 65535, 20000, "port on the relay's loopback the tunnel listens on (the only one the unit's key may open)"),
            },
            { additionalProperties: false, description: 'the support relay (support mode cannot be turned on without one)' },
          ),
        ),
        staffKeys: Type.Array(Type.String({ minLength: 20, maxLength: 2000, pattern: '^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) [A-Za-z0-9+/=]+( [ -~]{0,100})?$' }), {
          maxItems: 32,
          default: [],
          description: 'OpenSSH public keys of support staff allowed to read the export through the tunnel',
        }),
        exportRoot: path('root-owned folder holding the export (chroot) and its sshd; every component root-owned, not group/world-writable', '/var/lib/pitwall-support'),
        exportPort: int(1, 65535, 2222, "the export sshd's port on the unit's loopback (reached only through the tunnel)"),
        exportUser: Type.String({ minLength: 1, maxLength: 32, pattern: '^[a-z_][a-z0-9_-]*$', default: 'pitwall-support', description: 'system account support staff log in as (read-only SFTP, chrooted)' }),
        refreshS: num(1, 3600, 30, 'seconds between refreshes of the export while support is on'),
        keepaliveS: int(1, 300, 15, 'seconds between keepalives on the tunnel (three missed: reconnect)'),
      },
      'remote support mode',
    ),
    sim: closed(
      {
        recording: Type.Optional(path('NMEA file to replay (default: the shipped Everland AiM Solo laps)')),
        speed: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 1, description: 'replay speed factor' }),
        serialLink: Type.Optional(path('companion-side path of the simulated USB serial port (default DATA_DIR/usb-host)')),
        pitStopS: num(0, 3600, 0, 'end each pass of the recording with the car braking into the pits and parked this many seconds, so the session closes and the next pass starts a new one'),
        hotspotLatch: Type.Boolean({ default: false, description: 'the hotspot latch is closed at power-on (the unit starts its own Wi-Fi hotspot)' }),
        trackDays: int(0, 20, 0, 'at first boot (no session yet) record this many earlier track days from the shipped recordings, a week apart before the replayed day'),
        licenseEnforced: Type.Boolean({ default: false, description: "refuse the routes of features the unit's licence does not include, as the real hardware always does" }),
      },
      'the simulated hardware profile',
    ),
  },
  'the unit configuration',
);
export type UnitConfig = Static<typeof UnitConfig>;

/** A configuration that cannot be used, with one sentence naming the field. */
export class UnitConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnitConfigError';
  }
}

/** The offending value as given, cut short: the error stays one readable sentence. */
export function shownValue(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const fieldOf = (pointer: string) => pointer.replace(/^\//, '').replace(/\//g, '.') || '(top level)';

function describe(schema: TSchema): string {
  if (schema.anyOf) return `one of ${(schema.anyOf as TSchema[]).map((s) => JSON.stringify(s.const)).join(', ')}`;
  if (schema.type === 'number' || schema.type === 'integer') {
    const kind = schema.type === 'integer' ? 'a whole number' : 'a number';
    const low = schema.exclusiveMinimum !== undefined ? `over ${schema.exclusiveMinimum}` : `from ${schema.minimum}`;
    return `${kind} ${low} to ${schema.maximum}`;
  }
  if (schema.type === 'string' && schema.pattern && schema.pattern !== '\\S') return `text matching ${schema.pattern}`;
  if (schema.type === 'string') return `text of ${schema.minLength ?? 0} to ${schema.maxLength} characters${schema.pattern ? ', not blank' : ''}`;
  if (schema.type === 'boolean') return 'true or false';
  if (schema.type === 'object') return 'an object';
  return String(schema.type);
}

/** Fills in the defaults and checks `value`; throws UnitConfigError naming the first bad field. */
export function parseUnitConfig(value: unknown): UnitConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnitConfigError('(top level)', 'the unit configuration must be a JSON object');
  }
  const filled = Value.Default(UnitConfig, structuredClone(value));
  const first = Value.Errors(UnitConfig, filled).First();
  if (!first) return filled as UnitConfig;
  const field = fieldOf(first.path);
  if (first.type === ValueErrorType.ObjectAdditionalProperties) {
    const known = Object.keys(first.schema.properties ?? {});
    throw new UnitConfigError(field, `unknown setting "${field}" (known here: ${known.join(', ')})`);
  }
  throw new UnitConfigError(field, `"${field}" must be ${describe(first.schema)}, got ${shownValue(first.value)}`);
}

/** Every default, as one object (what an empty /etc/pitwall/unit.json means). */
export const UNIT_CONFIG_DEFAULTS: UnitConfig = parseUnitConfig({});
