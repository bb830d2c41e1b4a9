import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DatabaseTarget, type HubDatabase } from '../../src/db/open-database.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

export type DatabaseKind = DatabaseTarget['kind'];
/** Every hub suite runs once per kind: the same tests on SQLite and on PostgreSQL. */
export const DATABASE_KINDS: readonly DatabaseKind[] = ['sqlite', 'postgres'];

/**
 * Fresh databases of one kind for a test file: a SQLite file in a temp folder, or a new database
 * in this file's private PostgreSQL cluster (started on first use).
 */
export class TestDatabases {
  private cluster: PostgresCluster | null = null;
  private readonly dirs: string[] = [];
  private readonly open: HubDatabase[] = [];

  constructor(readonly kind: DatabaseKind) {}

  /** A target no hub has used yet. */
  async target(): Promise<DatabaseTarget> {
    if (this.kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'pitwall-hub-'));
      this.dirs.push(dir);
      return { kind: 'sqlite', file: join(dir, 'hub.sqlite') };
    }
    this.cluster ??= await startPostgresCluster();
    return { kind: 'postgres', url: await this.cluster.createDatabase() };
  }

  /** An opened (migrated) fresh database, closed by close(). */
  async fresh(target?: DatabaseTarget): Promise<HubDatabase> {
    const db = await openDatabase(target ?? (await this.target()));
    this.open.push(db);
    return db;
  }

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'pitwall-hub-'));
    this.dirs.push(dir);
    return dir;
  }

  async close(): Promise<void> {
    for (const db of this.open.splice(0)) await db.close().catch(() => undefined);
    await this.cluster?.stop();
    this.cluster = null;
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
