// Baseline for the device API benchmark: a bare node:https server (TLS 1.3, an Ed25519
// certificate like the unit's) answering the same /v1/info JSON with the same firmware
// headers that the unit answers. Prints its port on stdout.
import { createPrivateKey } from 'node:crypto';
import { createServer } from 'node:https';
import { generateIdentityKeyPem, selfSignedCertificatePem } from '../device-firmware-ts/src/index.js';

const body = process.argv[2] ?? '{}';
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': Buffer.byteLength(body),
  'pitwall-firmware-version': process.argv[3] ?? '0',
  'pitwall-firmware-commit': process.argv[4] ?? '0',
};
const keyPem = generateIdentityKeyPem();
const cert = await selfSignedCertificatePem(createPrivateKey(keyPem), 'bare');
const server = createServer({ key: keyPem, cert, minVersion: 'TLSv1.3' }, (req, res) => {
  if (req.url === '/v1/info') {
    res.writeHead(200, headers);
    res.end(body);
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ event: 'ready', port: (server.address() as { port: number }).port })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
