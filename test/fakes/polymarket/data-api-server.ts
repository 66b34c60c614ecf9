/**
 * The fake data API (./data-api.ts) as its own process, so a benchmark measures only its own CPU:
 * prints `{"url":"http://127.0.0.1:<port>"}` on one line, then serves until stdin closes or SIGTERM.
 * Trades are added over HTTP: POST /__fake/trades { trades: [{ wallet, side, asset, size, price }] }.
 *
 *   npx tsx test/fakes/polymarket/data-api-server.ts
 */
import { startFakeDataApi } from './data-api.ts';

const api = await startFakeDataApi();
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
const stop = () => void api.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
