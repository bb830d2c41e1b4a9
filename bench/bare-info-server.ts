// Baselines for the device API benchmark: a bare node:https server (TLS 1.3, an Ed25519
// certificate like the unit's) answering the same /v1/info JSON with the same firmware
// headers that the unit answers; with `--http`, a bare node:http server (no TLS), to show
// what TLS itself costs. Prints its port on stdout.
//   bare-info-server.ts <body> <firmware version> <firmware commit> [--http]
import { createPrivateKey } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Routes } from '@pitwall/protocol';
import { generateIdentityKeyPem, selfSignedCertificatePem } from '../device-firmware-ts/src/index.js';

const [body = '{}', version = '0', commit = '0', scheme] = process.argv.slice(2);
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': Buffer.byteLength(body),
  'pitwall-firmware-version': version,
  'pitwall-firmware-commit': commit,
};
const answer = (req: IncomingMessage, res: ServerResponse) => {
  if (req.url === Routes.info.path) {
    res.writeHead(200, headers);
    res.end(body);
  } else {
    res.writeHead(404);
    res.end();
  }
};
let server;
if (scheme === '--http') {
  server = createHttpServer(answer);
} else {
  const keyPem = generateIdentityKeyPem();
  const cert = await selfSignedCertificatePem(createPrivateKey(keyPem), 'bare');
  server = createHttpsServer({ key: keyPem, cert, minVersion: 'TLSv1.3' }, answer);
}
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', port: (server.address() as { port: number }).port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
