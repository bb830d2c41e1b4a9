/** Every device API response carries the firmware that produced it. */
export const FIRMWARE_VERSION_HEADER = 'pitwall-firmware-version';
export const FIRMWARE_COMMIT_HEADER = 'pitwall-firmware-commit';
export const API_VERSION = 1;
