import { describe, expect, it } from 'vitest';
import { bigrams, normaliseText, searchTerms } from '../../domain/search-text.js';

describe('text search over Chinese reports', () => {
  it('indexes the character bigrams of each run of letters and digits, once each', () => {
    expect(bigrams('燃气泄漏')).toEqual(['燃气', '气泄', '泄漏']);
    expect(bigrams('燃气，燃气')).toEqual(['燃气']);
    // Punctuation and spaces split runs: no bigram spans them.
    expect(bigrams('楼道，充电')).toEqual(['楼道', '充电']);
    expect(bigrams('Gas 12')).toEqual(['ga', 'as', '12']);
  });

  it('folds full-width forms and case, so a search finds what was typed either way', () => {
    expect(normaliseText('ＡＢＣ１２３')).toBe('abc123');
    expect(bigrams('ＧＡＳ')).toEqual(bigrams('gas'));
  });

  it('leaves a single character without bigrams (the text itself is searched then)', () => {
    expect(bigrams('火')).toEqual([]);
  });

  it('splits a query into terms on any whitespace, ideographic space included', () => {
    expect(searchTerms('  燃气\u3000泄漏  gas ')).toEqual(['燃气', '泄漏', 'gas']);
    expect(searchTerms('   ')).toEqual([]);
  });
});
