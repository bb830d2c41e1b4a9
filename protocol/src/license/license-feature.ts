import { Type, type Static } from '@sinclair/typebox';

/**
 * What a licence can switch on. Recording, logging, health, updates and recovery are never
 * features: a unit keeps doing them whatever its licence says (a unit that cannot be updated
 * cannot be fixed).
 */
export const LICENSE_FEATURES = ['live-timing', 'sectors', 'imu', 'team-sync', 'support-mode'] as const;
export const LicenseFeature = Type.Union(LICENSE_FEATURES.map((f) => Type.Literal(f)));
export type LicenseFeature = Static<typeof LicenseFeature>;
