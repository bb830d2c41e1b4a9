// Publishes a `_pitwall._tcp` service whose TXT is not a unit's (run inside a unit namespace).
// Prints {"event":"ready"} once published; stops on SIGTERM.
import { Bonjour } from 'bonjour-service';

const bonjour = new Bonjour();
bonjour.publish({ name: 'Impostor', type: 'pitwall', protocol: 'tcp', port: 9, txt: { id: 'not-a-uuid', name: 'Impostor', api: '0' } });
process.stdout.write(`${JSON.stringify({ event: 'ready' })}\n`);
process.once('SIGTERM', () => bonjour.unpublishAll(() => bonjour.destroy(() => process.exit(0))));
