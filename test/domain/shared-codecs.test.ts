import fc from 'fast-check';
import { CurrencyCode, Identifier, Text } from '../../src/domain/shared/codecs';

/** What a database keeps: the string survives UTF-8 (no lone surrogate) and holds no U+0000. */
const storable = (text: string): boolean => Buffer.from(text, 'utf8').toString('utf8') === text && !text.includes('\u0000');

/** Strings of any UTF-16 code units, lone surrogates and U+0000 included, weighted towards the awkward ones. */
const codeUnits = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
    fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83c\udf75', ' ', 'a', 'é'),
  ),
  maxLength: 140,
});

describe('shared string codecs', () => {
  it('Identifier accepts exactly the storable strings of 1–128 code units without whitespace (2,000 runs)', () => {
    fc.assert(
      fc.property(codeUnits, (text) => {
        expect(Identifier.is(text)).toBe(text.length >= 1 && text.length <= 128 && !/\s/.test(text) && storable(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('Text accepts exactly the storable strings of 1–2000 code units (2,000 runs)', () => {
    fc.assert(
      fc.property(codeUnits, (text) => {
        expect(Text.is(text)).toBe(text.length >= 1 && storable(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps characters beyond the BMP, and refuses a lone surrogate or U+0000 wherever it stands', () => {
    expect(Identifier.is('tea-🍵')).toBe(true);
    expect(Text.is('Lovely tea 🍵, one cup chipped')).toBe(true);
    for (const bad of ['a\ud800', '\udc00a', 'a\udc00\ud800b', 'a\u0000']) {
      expect(Identifier.is(bad)).toBe(false);
      expect(Text.is(bad)).toBe(false);
    }
  });

  it('CurrencyCode is three capital letters', () => {
    expect(['CNY', 'EUR'].map((code) => CurrencyCode.is(code))).toEqual([true, true]);
    expect(['cny', 'CN', 'EURO', '', 42].map((code) => CurrencyCode.is(code))).toEqual([false, false, false, false, false]);
  });
});
