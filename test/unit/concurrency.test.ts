import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../core/concurrency.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('concurrencyLimit', () => {
  it('runs at most `max` tasks at once, all of them, in order of arrival', async () => {
    const limit = concurrencyLimit(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          started.push(i);
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
          return i * 2;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(started).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('a failing task frees its slot and its error reaches its caller only', async () => {
    const limit = concurrencyLimit(1);
    const failed = limit(async () => {
      await tick();
      throw new Error('boom');
    });
    const next = limit(async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
    await expect(limit(async () => 'again')).resolves.toBe('again');
  });
});
