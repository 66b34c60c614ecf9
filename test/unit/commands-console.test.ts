/** The console loop over streams: piped scripts, confirmations on the next line, notifications, exit. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCommandHandler } from '../../bots/commands/dispatcher.ts';
import type { Reply } from '../../bots/commands/replies.ts';
import { renderReply, runConsole } from '../../bots/console/console.ts';
import { ConsoleSink } from '../../bots/console/sink.ts';
import { createStubServices } from './commands-stub.ts';

function collect(stream: PassThrough): () => string {
  let out = '';
  stream.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return () => out;
}

async function script(lines: string[], extra: Partial<Parameters<typeof runConsole>[0]> = {}) {
  const services = createStubServices();
  const handler = createCommandHandler({ services });
  const input = new PassThrough();
  const output = new PassThrough();
  const text = collect(output);
  const run = runConsole({ input, output, handler, userName: 'alice', interactive: false, settleMs: 20, maxDrainMs: 200, ...extra });
  input.end(lines.join('\n') + '\n');
  const result = await run;
  return { result, out: text(), services };
}

describe('console', () => {
  it('runs a piped script in order; "y" on the next line confirms; buttons print as typeable text', async () => {
    const { result, out, services } = await script(['# a comment', '', 'balance', 'buy fed-cut yes $25', 'y', 'positions', 'exit', 'balance']);
    expect(result).toEqual({ commands: 4, errors: 0 });
    expect(services.calls.placeOrder).toHaveLength(1);
    const blocks = out.split(/^> /m).filter(Boolean);
    expect(blocks.map((b) => b.split('\n')[0])).toEqual(['balance', 'buy fed-cut yes $25', 'y', 'positions']);
    expect(blocks[1]).toMatch(/\n\[confirm [0-9a-f]{8}\]  \[cancel [0-9a-f]{8}\]\n$/);
    expect(blocks[2]).toMatch(/^y\nBought 58\.13 YES at avg 43¢ on polymarket/);
  });

  it('counts errors and keeps going after bad input', async () => {
    const { result, out } = await script(['buy fed-cut yes abc', 'byu', 'bal']);
    expect(result).toEqual({ commands: 3, errors: 2 });
    expect(out).toContain('I couldn\'t read "abc" as an amount. Try: /buy fed-cut yes $25');
    expect(out).toContain('Balance (paper money):');
  });

  it('prints notifications as "» …" after the reply of the command in flight, and drains before returning', async () => {
    const listeners = new Set<(r: Reply) => void>();
    const notifications = (l: (r: Reply) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    };
    const services = createStubServices();
    const inner = createCommandHandler({ services, skipConfirm: true });
    // A handler whose order notification arrives while the command is still running, and one later.
    const handler = {
      ...inner,
      async handleText(ctx: Parameters<typeof inner.handleText>[0], text: string) {
        const replies = await inner.handleText(ctx, text);
        const id = replies[0]?.orderId;
        if (id) {
          for (const l of listeners) l({ kind: 'order', text: `order ${id.slice(0, 8)} filled: 58.13 YES @ 43¢ on polymarket` });
          setTimeout(() => listeners.forEach((l) => l({ kind: 'order', text: 'order later: done' })), 50);
        }
        return replies;
      },
    };
    const input = new PassThrough();
    const output = new PassThrough();
    const text = collect(output);
    const run = runConsole({ input, output, handler, userName: 'alice', interactive: false, notifications, settleMs: 100, maxDrainMs: 2000 });
    input.end('buy fed-cut yes $25\n');
    await run;
    const lines = text().trim().split('\n');
    expect(lines[0]).toBe('> buy fed-cut yes $25');
    expect(lines[1]).toMatch(/^Bought 58\.13 YES/);
    expect(lines.slice(-2)[0]).toMatch(/^» order [0-9a-f]{8} filled: 58\.13 YES @ 43¢ on polymarket$/);
    expect(lines.at(-1)).toBe('» order later: done');
    expect(listeners.size).toBe(0);
  });

  it('renders buttons from their command text, or their label', () => {
    expect(
      renderReply({ kind: 'confirm', text: 'Quote', buttons: [[{ id: 'cf:1:ok', label: 'Confirm', command: '/confirm 1a2b3c4d' }, { id: 'x', label: 'Later' }]] }),
    ).toBe('Quote\n[confirm 1a2b3c4d]  [Later]');
    expect(renderReply({ kind: 'text', text: 'edited', buttons: [] })).toBe('edited');
  });
});

describe('ConsoleSink', () => {
  it("keeps only the console user's rows, words them, and replays a backlog to a late listener", async () => {
    const services = createStubServices();
    const handler = createCommandHandler({ services, skipConfirm: true });
    const ctx = { platform: 'console' as const, userExternalId: 'alice', userName: 'alice', chatId: 'console', isGroup: false };
    const placed = (await handler.handleText(ctx, 'buy fed-cut yes $25'))[0]!;
    await handler.handleText({ ...ctx, platform: 'telegram', userExternalId: '42' }, 'buy fed-cut yes $5');
    const mine = services.orders.find((o) => o.id === placed.orderId)!;
    const theirs = services.orders.find((o) => o.id !== placed.orderId)!;

    const sink = new ConsoleSink({ externalId: 'alice' });
    const row = (o: typeof mine) => ({
      id: `row-${o.id}`,
      userId: o.userId,
      kind: 'order_status',
      dedupeKey: `order:${o.id}:filled`,
      orderId: o.id,
      payload: { kind: 'order_status' as const, orderId: o.id, status: 'filled', previous: 'pending' },
      createdAt: new Date(),
    });
    await sink.deliver(row(mine)); // not attached yet: skipped
    sink.attach(services);
    await sink.deliver(row(theirs));
    await sink.deliver(row(mine));
    const got: string[] = [];
    const off = sink.subscribe((r) => got.push(r.text));
    expect(got).toEqual([`order ${mine.id.slice(0, 8)} filled: 58.13 YES @ 43¢ on polymarket`]);
    off();
  });
});
