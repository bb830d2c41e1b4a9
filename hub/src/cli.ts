#!/usr/bin/env node
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ParameterError } from '@pitwall/protocol';
import { readAudit } from './audit.js';
import { openDatabase } from './db/open-database.js';
import { parseHubArgs, USAGE, type HubCommand } from './hub-args.js';
import { loadHubSigningKey } from './hub-signing-key.js';
import { addMember, createOrganisation, linkDealer } from './organisations/members.js';
import { buildHubServer } from './server.js';
import { loadVendorKeys } from './registration/vendor-keys.js';

const print = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function run(cmd: Exclude<HubCommand, { command: 'help' }>): Promise<void> {
  if (cmd.target.kind === 'sqlite') await mkdir(dirname(cmd.target.file), { recursive: true, mode: 0o700 });
  const hubDb = await openDatabase(cmd.target);
  const { db } = hubDb;
  if (cmd.command !== 'serve') {
    try {
      if (cmd.command === 'org-add') print({ organisationId: await createOrganisation(db, cmd.name, cmd.kind), kind: cmd.kind, name: cmd.name });
      else if (cmd.command === 'link-dealer') {
        await linkDealer(db, cmd.dealer, cmd.academy);
        print({ linked: true, dealer: cmd.dealer, academy: cmd.academy });
      }
      else if (cmd.command === 'audit') for (const entry of await readAudit(db, { ...(cmd.kind ? { kind: cmd.kind } : {}), limit: cmd.limit })) print({ ...entry });
      else print({ ...(await addMember(db, cmd.org, cmd.name, cmd.role)), role: cmd.role });
    } finally {
      await hubDb.close();
    }
    return;
  }
  const key = await loadHubSigningKey(cmd.keyFile);
  const vendorKeys = cmd.vendorKeysDir === null ? null : await loadVendorKeys(cmd.vendorKeysDir);
  const app = buildHubServer({ db, key, vendorKeys, trustProxy: cmd.trustProxy, rateLimitPerMinute: cmd.rateLimit, memberRateLimitPerMinute: cmd.memberRateLimit, log: (line) => process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`) });
  const url = await app.listen({ host: cmd.host, port: cmd.port });
  print({ event: 'ready', url, database: hubDb.kind, hubKey: key.info.fingerprint, vendorKeys: vendorKeys?.size ?? null });
  const stop = () => {
    void app.close().then(() => hubDb.close()).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

try {
  const cmd = parseHubArgs(process.argv.slice(2));
  if (cmd.command === 'help') console.log(USAGE);
  else await run(cmd);
} catch (err) {
  const usage = err instanceof ParameterError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`pitwall-hub: ${(err as Error).message}`);
  if (usage) console.error(USAGE);
  process.exit(usage ? 2 : 1);
}
