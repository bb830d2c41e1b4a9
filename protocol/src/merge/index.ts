export * from './hlc.js';
export * from './lww-register.js';
export * from './or-set.js';
export * from './roster.js';
