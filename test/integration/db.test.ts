/**
 * The database foundation: Decimal columns round-trip exactly through Prisma + adapter-pg, and the
 * embedded Postgres keeps its data across restarts and survives a stale postmaster.pid.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../generated/prisma/client.ts';
import { startEmbeddedPostgres } from '../../core/db/embedded.ts';
import { dec } from '../../core/money.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

describe('Decimal columns', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('round-trip exactly (price Decimal(10,6), quantity Decimal(18,6))', async () => {
    const { prisma } = db;
    const user = await prisma.user.create({ data: { name: 'ann', maxOrderUsd: '999999999999.999999' } });
    await prisma.market.create({ data: { id: 'm1', slug: 'will-it-rain', title: 'Will it rain?', category: 'weather' } });
    await prisma.marketListing.create({
      data: { id: 'l1', marketId: 'm1', venue: 'polymarket', venueMarketId: 'pm-1', tickSize: '0.001', minSize: '5' },
    });
    const order = await prisma.order.create({
      data: {
        userId: user.id,
        marketId: 'm1',
        listingId: 'l1',
        side: 'yes',
        type: 'limit',
        action: 'buy',
        price: new Prisma.Decimal('0.123456'),
        quantity: '123456789012.123456',
        exchange: 'polymarket',
        clientOrderId: 'c-1',
      },
    });

    const read = await prisma.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(read.price).toBeInstanceOf(Prisma.Decimal);
    expect(read.price.toFixed(6)).toBe('0.123456');
    expect(read.quantity.toFixed(6)).toBe('123456789012.123456');
    // Arithmetic: Prisma.Decimal is Prisma's own decimal.js copy with the default precision of 20
    // significant digits, so multiplying the raw values rounds. Convert with core/money's dec()
    // (precision 40) before doing maths.
    expect(dec(read.price).mul(dec(read.quantity)).toFixed(12)).toBe('15241481344.280713383936');
    expect(read.price.mul(read.quantity).toFixed(12)).toBe('15241481344.280713384000');
    expect(read.filledQuantity.toString()).toBe('0');
    expect(read.status).toBe('created');
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).maxOrderUsd?.toFixed(6)).toBe('999999999999.999999');

    // What Postgres itself stored, as text: no float anywhere on the way.
    const [row] = await prisma.$queryRaw<Array<{ price: string; quantity: string }>>`
      SELECT price::text AS price, quantity::text AS quantity FROM "Order" WHERE id = ${order.id}::uuid`;
    expect(row).toEqual({ price: '0.123456', quantity: '123456789012.123456' });

    // Aggregates stay exact too.
    const sum = await prisma.order.aggregate({ _sum: { quantity: true }, where: { userId: user.id } });
    expect(sum._sum.quantity?.toFixed(6)).toBe('123456789012.123456');
  });
});

describe('embedded Postgres', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'yesno-embedded-'));
    await fs.chmod(dir, 0o755);
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps data across restarts, creates the database once, and ignores a stale postmaster.pid', async () => {
    const dataDir = path.join(dir, 'pg');
    const port = await freePort();

    const first = await startEmbeddedPostgres({ dataDir, port, fast: true });
    try {
      expect(first.url).toBe(`postgres://postgres:password@127.0.0.1:${port}/yesno`);
      expect(first.timings.initdbMs).toBeGreaterThan(0);
      await query(first.url, `CREATE TABLE kept (v numeric(18,6)); INSERT INTO kept VALUES (1.5)`);
    } finally {
      await first.stop();
    }

    // A crash leaves postmaster.pid behind; here it names a PID that no longer exists.
    await fs.writeFile(path.join(dataDir, 'postmaster.pid'), `999999\n${dataDir}\n0\n${port}\n`);
    const second = await startEmbeddedPostgres({ dataDir, port, fast: true });
    try {
      expect(second.timings.initdbMs).toBe(0);
      expect(await query(second.url, 'SELECT v::text AS v FROM kept')).toEqual([{ v: '1.500000' }]);
      const settings = await query(second.url, `SELECT current_setting('fsync') AS fsync, current_setting('server_encoding') AS enc`);
      expect(settings).toEqual([{ fsync: 'off', enc: 'UTF8' }]);
    } finally {
      await second.stop();
    }
  });
});

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(sql);
    return (Array.isArray(result) ? result.at(-1) : result).rows;
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
