// Child process of the diagnostics benchmark: a stand-in unit holding one boot of N log
// records (HTTPS, the unit contract) and a plain HTTP server sending the same NDJSON bytes.
// Both send them from one buffer (the unit by byte range, as it sends ranges of its log files),
// so the two transfers differ by what the companion does, not by how the stand-in builds bytes.
// argv: record count, listen address (default 127.0.0.1; 0.0.0.0 inside a network namespace).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freezeBoot, makeBoot, startFakeDiagnosticsUnit } from '../testbed/fake-diagnostics-unit.js';

const count = Number(process.argv[2] ?? 1_000_000);
const host = process.argv[3] ?? '127.0.0.1';
const unit = await startFakeDiagnosticsUnit({ name: 'Bench Unit', host });
const boot = makeBoot(unit.id, count);
unit.boots.push(boot);
freezeBoot(boot);
const body = boot.blob!.buf;
const plain = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': body.length });
  res.end(body);
});
await new Promise<void>((r) => plain.listen(0, host, r));
process.stdout.write(
  `${JSON.stringify({ event: 'ready', id: unit.id, port: unit.port, fingerprint: unit.fingerprint, certificate: unit.certificate, plainPort: (plain.address() as AddressInfo).port, bytes: body.length })}\n`,
);
