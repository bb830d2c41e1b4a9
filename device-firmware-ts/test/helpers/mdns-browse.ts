// Browses _pitwall._tcp and prints one JSON line per up/down event (run inside a namespace).
import Bonjour from 'bonjour-service';
import { MDNS_PROTOCOL, MDNS_SERVICE_TYPE } from '@pitwall/protocol';

const bonjour = new Bonjour({}, (err: Error) => process.stderr.write(`mdns: ${err.message}\n`));
const browser = bonjour.find({ type: MDNS_SERVICE_TYPE, protocol: MDNS_PROTOCOL });
const print = (event: string, s: Bonjour.Service) =>
  process.stdout.write(`${JSON.stringify({ event, name: s.name, port: s.port, host: s.host, txt: s.txt, addresses: s.addresses })}\n`);
browser.on('up', (s: Bonjour.Service) => print('up', s));
browser.on('down', (s: Bonjour.Service) => print('down', s));
process.stdout.write('{"event":"browsing"}\n');
process.on('SIGTERM', () => {
  browser.stop();
  bonjour.destroy(() => process.exit(0));
});
