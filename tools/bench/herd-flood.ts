// An unauthenticated flood for the herd benchmark and the flood test, run as its own
// process (so its CPU is not the coordinator's): it keeps --in-flight well-formed Enroll
// calls with an unknown token going against 127.0.0.1:--port, spread over --peers source
// addresses 127.66.x.y, until SIGTERM; then it prints one JSON line: answers by status
// code and the distinct refusal messages.
//
//   npx tsx tools/bench/herd-flood.ts --port P --ca CA.pem [--in-flight 500] [--peers 10]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createKeyAndCsr } from '@kumi/trust';
import { RawEnrollClient, sourceAddress } from './herd-enroll-client';

const { values } = parseArgs({ options: { port: { type: 'string' }, ca: { type: 'string' }, 'in-flight': { type: 'string', default: '500' }, peers: { type: 'string', default: '10' } } });
const port = Number(values.port);
const inFlight = Number(values['in-flight']);
const peers = Number(values.peers);
if (!Number.isInteger(port) || !values.ca || !(inFlight > 0) || !(peers > 0)) {
  process.stderr.write('usage: herd-flood.ts --port P --ca CA.pem [--in-flight N] [--peers N]\n');
  process.exit(2);
}
const caPem = await readFile(values.ca, 'utf8');
const { csrPem } = await createKeyAndCsr('bogus');
const answers: Record<string, number> = {};
const messages = new Set<string>();
let stopped = false;
let clients = Array.from({ length: peers }, (_, i) => new RawEnrollClient(port, caPem, sourceAddress(66, i)));

const loops = Array.from({ length: inFlight }, async (_, i) => {
  while (!stopped) {
    const peer = i % peers;
    if (!clients[peer]?.usable) clients[peer] = new RawEnrollClient(port, caPem, sourceAddress(66, peer));
    const outcome = await (clients[peer] as RawEnrollClient).enroll({ token: 'zzzzzz.0123456789abcdef', csrPem, hostName: `bogus-${i}` }, 5_000);
    answers[outcome.code] = (answers[outcome.code] ?? 0) + 1;
    messages.add(outcome.details);
  }
});
process.stdout.write('flooding\n');
process.once('SIGTERM', () => {
  stopped = true;
  void Promise.all(loops).then(() => {
    for (const client of clients) client.close();
    clients = [];
    process.stdout.write(`${JSON.stringify({ answers, messages: [...messages], cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000) })}\n`);
    process.exit(0);
  });
});
