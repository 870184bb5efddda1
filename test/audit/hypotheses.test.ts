/** The audit's pure parts: hypothesis lists, cause naming, sampling, quantiles, and `serve --simulate` parsing. */
import { describe, expect, it } from 'vitest';
import { diagnosisRows, sampleRows } from '../../src/audit/audit.js';
import { candidateStages, encoderCauses, prefixCause } from '../../src/audit/hypotheses.js';
import { quantiles, rowCosines, rowNorms } from '../../src/audit/vector-stats.js';
import { UserError } from '../../src/errors.js';
import { getModel } from '../../src/models/registry.js';
import { parseSimulation } from '../../src/serve/simulate.js';

const E5 = getModel('intfloat/e5-small-v2');
const ASYM = { query: 'query: ', passage: 'passage: ' };

describe('prefixCause', () => {
  it.each([
    [{ passage: 'passage: ', query: 'query: ' }, null],
    [{ passage: '', query: '' }, 'prefix-missing'],
    [{ passage: 'query: ', query: 'passage: ' }, 'prefixes-swapped'],
    [{ passage: 'query: ', query: 'query: ' }, 'query-prefix-both'],
    [{ passage: 'passage: ', query: 'passage: ' }, 'passage-prefix-both'],
    [{ passage: 'passage: ', query: '' }, 'query-prefix-missing'],
    [{ passage: '', query: 'query: ' }, 'passage-prefix-missing'],
    [{ passage: '', query: 'passage: ' }, 'other-prefixes'],
  ])('%j -> %s', (seen, id) => {
    expect(prefixCause(ASYM, seen)?.id ?? null).toBe(id);
  });

  it('reads an unexplained side as configured, and names prefixes a symmetric system never asked for', () => {
    expect(prefixCause(ASYM, { passage: null, query: '' })?.id).toBe('query-prefix-missing');
    const c = prefixCause({ query: '', passage: '' }, { passage: 'passage: ', query: 'query: ' });
    expect(c).toEqual({ id: 'other-prefixes', text: 'passages got prefix "passage: " (configured ""), queries "query: " (configured "")' });
  });
});

describe('candidateStages', () => {
  it('changes one axis first (prefixes, truncations, then padded pooling, shortest first), both axes second', () => {
    const [one, two] = candidateStages(E5, ASYM, 'passages');
    expect(one).toEqual([
      { prefix: 'query: ', maxLength: 512, padPooling: null },
      { prefix: '', maxLength: 512, padPooling: null },
      { prefix: 'passage: ', maxLength: 256, padPooling: null },
      { prefix: 'passage: ', maxLength: 128, padPooling: null },
      { prefix: 'passage: ', maxLength: 128, padPooling: 128 },
      { prefix: 'passage: ', maxLength: 256, padPooling: 256 },
      { prefix: 'passage: ', maxLength: 512, padPooling: 512 },
    ]);
    expect(two).toHaveLength(2 * 5);
    expect(two.every((s) => s.prefix !== 'passage: ' && !(s.maxLength === 512 && s.padPooling === null))).toBe(true);
  });

  it('offers the model\'s own prefixes to a symmetric system, and no padded pooling to a CLS model', () => {
    const [one] = candidateStages({ ...E5, pooling: 'cls', maxLength: 256 }, { query: '', passage: '' }, 'queries');
    expect(one).toEqual([
      { prefix: 'query: ', maxLength: 256, padPooling: null },
      { prefix: 'passage: ', maxLength: 256, padPooling: null },
      { prefix: '', maxLength: 128, padPooling: null },
    ]);
    expect(one.some((s) => s.padPooling !== null)).toBe(false);
  });
});

describe('encoderCauses', () => {
  it('names padded pooling and truncation once, whichever side revealed them', () => {
    const pad = { prefix: '', maxLength: 512, padPooling: 512 };
    const cut = { prefix: '', maxLength: 128, padPooling: null };
    expect(encoderCauses(E5, [pad, pad]).map((c) => c.id)).toEqual(['padding-pooling']);
    expect(encoderCauses(E5, [cut, null]).map((c) => c.text)).toEqual(['texts truncated to 128 tokens (the model takes 512)']);
    expect(encoderCauses(E5, [{ prefix: '', maxLength: 256, padPooling: 256 }, null])[0].text).toBe(
      'mean pooling over padding (every text padded to 256 tokens, and truncated to it)',
    );
    expect(encoderCauses(E5, [{ prefix: 'x', maxLength: 512, padPooling: null }, null])).toEqual([]);
  });
});

describe('sampling', () => {
  it('sampleRows is seeded, ascending, distinct, and takes everything from a small corpus', () => {
    const a = sampleRows(1000, 20, 42);
    expect(a).toEqual(sampleRows(1000, 20, 42));
    expect(a).not.toEqual(sampleRows(1000, 20, 7));
    expect(new Set(a).size).toBe(20);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(sampleRows(5, 20, 42)).toEqual([0, 1, 2, 3, 4]);
  });

  it('diagnosisRows takes the worst-agreeing half and spreads the rest over lengths, longest first', () => {
    const tokens = [10, 500, 30, 200, 90, 60, 400, 20];
    const cos = [1, 1, 1, 0.5, 1, 0.9, 1, 1];
    const rows = diagnosisRows(tokens, cos, 4);
    expect(rows.slice(0, 2)).toEqual([3, 5]);
    expect(rows).toContain(1); // the longest
    expect(rows).toHaveLength(4);
    expect(diagnosisRows(tokens, cos, 20)).toHaveLength(8);
  });
});

describe('vector statistics', () => {
  it('quantiles interpolate like numpy, and cosines ignore scale', () => {
    expect(quantiles([4, 1, 3, 2, 5])).toEqual({ min: 1, p05: 1.2, median: 3, p95: 4.8, max: 5, mean: 3, n: 5 });
    const a = { data: Float32Array.from([1, 0, 3, 4]), rows: 2, dim: 2 };
    const b = { data: Float32Array.from([2, 0, 0, 1]), rows: 2, dim: 2 };
    expect(rowCosines(a, b)).toEqual([1, 0.8]);
    expect(rowNorms(a)).toEqual([1, 5]);
  });
});

describe('serve --simulate', () => {
  it('turns faults into the prefixes input_type applies and the encoder settings', () => {
    expect(parseSimulation('', E5)).toBeNull();
    expect(parseSimulation('swapped-prefixes, unnormalised', E5)).toEqual({
      faults: ['swapped-prefixes', 'unnormalised'],
      prefixes: { query: 'passage: ', passage: 'query: ' },
      variant: { normalize: false },
    });
    expect(parseSimulation('padding-pooling', E5)!.variant).toEqual({ padPooling: 512, maxLength: 512 });
    expect(parseSimulation('padding-pooling=128,no-prefix', E5)).toMatchObject({ prefixes: { query: '', passage: '' }, variant: { padPooling: 128, maxLength: 128 } });
    expect(parseSimulation('truncate=256', E5)!.variant).toEqual({ maxLength: 256 });
  });

  it.each([
    ['bogus', /unknown fault "bogus"/],
    ['truncate', /truncate needs a length/],
    ['truncate=9999', /expected a token count 2..512/],
    ['no-prefix,swapped-prefixes', /contradict each other/],
  ])('rejects %s in one line', (spec, message) => {
    const err = (() => {
      try {
        parseSimulation(spec, E5);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(message);
  });
});
