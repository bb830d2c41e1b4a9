// Loaded with `--import` (after tsx) into a `pitwall-device run` child process: the `i2c-bus`
// package resolves to fake-i2c-bus.ts (the LSM6DSOX register model behind i2c-bus's
// openPromisified, the fake the in-process tests use) and /dev/i2c-$FAKE_I2C_BUS counts as
// present, so the real driver (i2c-dev-bus.ts, lsm6dsox.ts, polled-imu-feed.ts) runs unchanged.
import fs from 'node:fs';
import { register, syncBuiltinESMExports } from 'node:module';

const device = `/dev/i2c-${Number(process.env.FAKE_I2C_BUS ?? 1)}`;
const existsSync = fs.existsSync;
fs.existsSync = (path) => path === device || existsSync(path);
syncBuiltinESMExports();
register(new URL('./fake-i2c-hooks.mjs', import.meta.url));
