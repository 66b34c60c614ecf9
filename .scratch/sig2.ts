import { openDatabase } from '../core/db/client.ts';
await openDatabase({ DATA_DIR: '/tmp/embtest/app2', EMBEDDED_PG_PORT: 55460 }, { info: () => {} });
process.exit(3);
