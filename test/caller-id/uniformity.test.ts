import assert from 'node:assert/strict';
import { mulberry32, pickUniform, resolveCallerId } from '../../src/caller-id';
import { makeInput } from './fixtures';

// Critical value of the chi-square distribution with 2 degrees of freedom at p = 0.01.
const CHI_SQUARE_DF2_P01 = 9.21;

function chiSquare(counts: number[], expected: number): number {
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

describe('uniformity of the random pick', () => {
  const three = ['+441110001', '+441110002', '+441110003'];
  const clientNumbers = three.map((number) => ({ number, channelId: 'r1' }));

  it('when 3,000 calls pick among three numbers of the routing channel with a seeded source, then the counts pass chi-square at p = 0.01', () => {
    const random = mulberry32(20240607);
    const counts = new Map(three.map((n) => [n, 0]));
    for (let i = 0; i < 3000; i++) {
      const d = resolveCallerId(makeInput({ clientNumbers, callerId: { numbers: three }, random }));
      assert.equal(d.outcome, 'ok');
      const n = d.outcome === 'ok' ? d.number : null;
      assert.ok(n !== null && counts.has(n), `unexpected ${n}`);
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    const stat = chiSquare([...counts.values()], 1000);
    assert.ok(stat < CHI_SQUARE_DF2_P01, `chi-square ${stat.toFixed(3)} >= ${CHI_SQUARE_DF2_P01}: ${JSON.stringify([...counts])}`);
  });

  it('when the pick is repeated over 20 seeds, then it passes chi-square for nearly all of them (a biased pick would fail most)', () => {
    let failures = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const random = mulberry32(seed);
      const counts = [0, 0, 0];
      for (let i = 0; i < 3000; i++) counts[three.indexOf(pickUniform(three, random))]! += 1;
      if (chiSquare(counts, 1000) >= CHI_SQUARE_DF2_P01) failures++;
    }
    // Expected failures at p = 0.01 over 20 seeds: 0.2; 2 or more has probability about 1.7%.
    assert.ok(failures <= 1, `${failures} of 20 seeds failed`);
  });

  it('when the extension has only one number on the routing channel, then every pick is that number', () => {
    const random = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const d = resolveCallerId(makeInput({ clientNumbers, callerId: { numbers: ['+441110002'] }, random }));
      assert.equal(d.outcome === 'ok' ? d.number : d.outcome, '+441110002');
    }
  });

  it('when the source returns the extremes of [0, 1), then the first and the last number are reachable', () => {
    assert.equal(
      pickUniform(three, () => 0),
      three[0],
    );
    assert.equal(
      pickUniform(three, () => 1 - Number.EPSILON),
      three[2],
    );
  });

  it('when mulberry32 is seeded twice with the same seed, then it yields the same sequence in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      assert.equal(x, b());
      assert.ok(x >= 0 && x < 1);
    }
  });
});
