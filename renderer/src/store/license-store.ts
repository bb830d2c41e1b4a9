import { create } from 'zustand';
import type { CallError, HeldRevocationList, LicenseFileSummary, LicenseInstallOutcome, UnitLicenseView } from '@pitwall/protocol';
import { call, on } from '../api.js';

export interface LicenseState {
  /** Each unit's latest reported licence, by unit id. */
  views: Record<string, UnitLicenseView>;
  held: HeldRevocationList | null;
  refreshing: boolean;
  error: CallError | null;
  /** The install dialog: open with the units preselected. */
  dialog: { unitIds: string[] } | null;
  path: string;
  file: LicenseFileSummary | null;
  inspecting: boolean;
  installing: boolean;
  outcomes: LicenseInstallOutcome[] | null;
  dialogError: CallError | null;
  importPath: string;
  load(): Promise<void>;
  refresh(): Promise<void>;
  openDialog(unitIds: string[]): void;
  closeDialog(): void;
  toggle(unitId: string): void;
  setPath(path: string): void;
  inspect(): Promise<void>;
  install(): Promise<void>;
  setImportPath(path: string): void;
  importRevocations(): Promise<void>;
}

const byUnit = (views: UnitLicenseView[]) => Object.fromEntries(views.map((v) => [v.unitId, v]));

/** Licences: every unit's as last reported, the revocation list carried, the install dialog. */
export const useLicenses = create<LicenseState>()((set, get) => ({
  views: {},
  held: null,
  refreshing: false,
  error: null,
  dialog: null,
  path: '',
  file: null,
  inspecting: false,
  installing: false,
  outcomes: null,
  dialogError: null,
  importPath: '',

  async load() {
    const [fleet, held] = await Promise.all([call('license:fleet', {}), call('license:revocations', {})]);
    if (fleet.ok) set((s) => ({ views: { ...s.views, ...byUnit(fleet.value) } }));
    if (held.ok) set({ held: held.value });
  },

  async refresh() {
    set({ refreshing: true, error: null });
    const res = await call('license:refresh', {});
    set(res.ok ? { refreshing: false, views: byUnit(res.value) } : { refreshing: false, error: res.error });
  },

  openDialog: (unitIds) => set({ dialog: { unitIds }, outcomes: null, dialogError: null }),
  closeDialog: () => set({ dialog: null, outcomes: null, dialogError: null }),
  toggle: (unitId) =>
    set((s) => (s.dialog ? { dialog: { unitIds: s.dialog.unitIds.includes(unitId) ? s.dialog.unitIds.filter((u) => u !== unitId) : [...s.dialog.unitIds, unitId] } } : {})),
  setPath: (path) => set({ path, file: null, dialogError: null, outcomes: null }),

  async inspect() {
    const path = get().path.trim();
    if (!path) return;
    set({ inspecting: true, dialogError: null, file: null });
    const res = await call('license:inspect', { path });
    if (get().path.trim() !== path) return;
    set(res.ok ? { file: res.value, inspecting: false } : { dialogError: res.error, inspecting: false });
  },

  async install() {
    const { file, dialog, installing } = get();
    if (!file || !dialog || dialog.unitIds.length === 0 || installing) return;
    set({ installing: true, dialogError: null, outcomes: null });
    const res = await call('license:install', { path: file.path, unitIds: dialog.unitIds });
    set(res.ok ? { installing: false, outcomes: res.value } : { installing: false, dialogError: res.error });
  },

  setImportPath: (importPath) => set({ importPath, error: null }),

  async importRevocations() {
    const path = get().importPath.trim();
    if (!path) return;
    const res = await call('license:import-revocations', { path });
    set(res.ok ? { held: res.value, importPath: '', error: null } : { error: res.error });
  },
}));

on('license:changed', (views) => useLicenses.setState((s) => ({ views: { ...s.views, ...byUnit(views) } })));
