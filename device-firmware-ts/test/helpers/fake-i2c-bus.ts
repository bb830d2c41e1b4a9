// What fake-i2c-preload.ts puts in place of the `i2c-bus` package: every bus opened is the
// LSM6DSOX register model at rest (gravity on z), as FakeI2cDev models it.
import { FakeI2cDev } from './fake-i2c-dev.js';

export default {
  openPromisified: async (_bus: number) => new FakeI2cDev(),
};
