import { describe, expect, it } from 'vitest';
import { ErrorCode, SightlineError } from '../../src/errors.ts';
import { buildTokenizerFiles } from '../../src/extractor/model-generate/tokenizer-json.ts';
import { canonicalizeText, createTokenizer } from '../../src/extractor/tokenizer.ts';

const generated = buildTokenizerFiles({ vocabSize: 2000, seed: 1 });
const vocab = (generated.tokenizerJson as { model: { vocab: Array<[string, number]> } }).model.vocab;
const tokenizer = createTokenizer(generated.tokenizerJson, generated.tokenizerConfig);
const pieces = (ids: number[]) => ids.map((id) => vocab[id]?.[0]);
/** The ids before the first </s>. */
const content = (ids: number[]) => ids.slice(0, ids.indexOf(tokenizer.eosId));

/** A hand-made Unigram vocabulary, small enough to reason about scores. */
function tinyTokenizer(scores: Record<string, number>, config: object = {}) {
  const json = {
    added_tokens: [
      { id: 0, content: '<pad>', special: true },
      { id: 1, content: '</s>', special: true },
      { id: 2, content: '<unk>', special: true },
    ],
    model: { type: 'Unigram', unk_id: 2, vocab: [['<pad>', 0], ['</s>', 0], ['<unk>', 0], ...Object.entries(scores)] },
  };
  return createTokenizer(json, config, { maxLength: 8 });
}

describe('canonicalizeText', () => {
  it('lower-cases, drops ASCII punctuation and collapses whitespace like SiglipTokenizer', () => {
    expect(canonicalizeText("  Hello,   WORLD!\n\tIt's  a-OK. ")).toBe('hello world its aok');
    expect(canonicalizeText('50% off: "Red" (new) shoes')).toBe('50 off red new shoes');
  });

  it('keeps non-ASCII punctuation and letters, which SigLIP does not strip', () => {
    expect(canonicalizeText('Café — «déjà vu»')).toBe('café — «déjà vu»');
  });

  it('treats a literal metaspace character as a space', () => {
    expect(canonicalizeText('red\u2581shoe')).toBe('red shoe');
  });
});

describe('createTokenizer on the generated vocabulary', () => {
  it('uses SigLIP ids: </s> is both end of sequence and padding', () => {
    expect(tokenizer.eosId).toBe(1);
    expect(tokenizer.padId).toBe(1);
  });

  it('segments words into the pieces a Unigram model prefers', () => {
    const ids = tokenizer.encode('Red Leather Sneakers!');
    expect(pieces(content(ids))).toEqual(['\u2581red', '\u2581leather', '\u2581sneaker', 's']);
  });

  it('gives the same ids for texts that differ only in case, punctuation and spacing', () => {
    expect(tokenizer.encode('a photo of a CAT.')).toEqual(tokenizer.encode('  a photo, of a cat  '));
  });

  it('encodes any lower-case ASCII text without unknown tokens', () => {
    const ids = content(tokenizer.encode('zq9 x7yw qqq'));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(2);
  });

  it('pads a short text with </s> right after its tokens', () => {
    const ids = tokenizer.encode('red shoe');
    expect(ids).toHaveLength(64);
    expect(pieces(ids.slice(0, 2))).toEqual(['\u2581red', '\u2581shoe']);
    expect(ids.slice(2)).toEqual(new Array(62).fill(1));
  });

  it('encodes an empty or punctuation-only text as </s> then padding', () => {
    expect(tokenizer.encode('')).toEqual(new Array(64).fill(1));
    expect(tokenizer.encode(' ?!. ')).toEqual(new Array(64).fill(1));
  });

  it('truncates a long text to 63 tokens and keeps </s> in the last position', () => {
    const text = Array.from({ length: 500 }, (_, i) => ['red', 'leather', 'shoes', 'quixotic'][i % 4]).join(' ');
    const ids = tokenizer.encode(text);
    expect(ids).toHaveLength(64);
    expect(ids[63]).toBe(tokenizer.eosId);
    expect(ids.slice(0, 63)).not.toContain(tokenizer.eosId);
    expect(pieces(ids.slice(0, 2))).toEqual(['\u2581red', '\u2581leather']);
  });

  it('honours another maxLength', () => {
    const short = createTokenizer(generated.tokenizerJson, generated.tokenizerConfig, { maxLength: 4 });
    expect(pieces(short.encode('red leather shoes for men'))).toEqual(['\u2581red', '\u2581leather', '\u2581shoe', '</s>']);
  });
});

describe('Unigram segmentation', () => {
  it('picks the segmentation with the best total score, not the longest first match', () => {
    const a = tinyTokenizer({ '\u2581a': -1, bc: -1, '\u2581ab': -1.5, c: -1 });
    expect(a.encode('abc').slice(0, 3)).toEqual([3, 4, 1]);
    const b = tinyTokenizer({ '\u2581a': -1, bc: -3, '\u2581ab': -1.5, c: -1 });
    expect(b.encode('abc').slice(0, 3)).toEqual([5, 6, 1]);
  });

  it('maps uncovered characters to <unk>, one per run like sentencepiece', () => {
    const t = tinyTokenizer({ '\u2581': -2, '\u2581cat': -1, x: -3 });
    // "▁" then the run "日本" as a single unk, then "x", then "▁cat".
    expect(t.encode('日本x cat')).toEqual([3, 2, 5, 4, 1, 1, 1, 1]);
  });

  it('puts </s> before padding when the pad token differs from </s>', () => {
    const t = tinyTokenizer({ '\u2581a': -1 }, { pad_token: '<pad>' });
    expect(t.encode('a a')).toEqual([3, 3, 1, 0, 0, 0, 0, 0]);
    expect(t.encode('a a a a a a a a a a')).toEqual([3, 3, 3, 3, 3, 3, 3, 1]);
  });
});

describe('tokenizer.json validation', () => {
  const refusal = (json: unknown, config: unknown = {}) => {
    try {
      createTokenizer(json, config);
    } catch (err) {
      expect(err).toBeInstanceOf(SightlineError);
      expect((err as SightlineError).code).toBe(ErrorCode.MODEL_INVALID);
      return (err as SightlineError).message;
    }
    throw new Error('expected a refusal');
  };
  const json = generated.tokenizerJson as { model: object };

  it('refuses what is not a tokenizer.json', () => {
    expect(refusal(null)).toMatch(/^tokenizer\.json: /);
    expect(refusal({})).toMatch(/^tokenizer\.json: model/);
  });

  it('refuses a model that is not Unigram', () => {
    expect(refusal({ ...json, model: { type: 'BPE', vocab: {}, merges: [] } })).toMatch(/tokenizer\.json: model\.type/);
  });

  it('refuses malformed vocabulary entries and an unk id outside the vocabulary', () => {
    expect(refusal({ model: { type: 'Unigram', unk_id: 0, vocab: [['a', 'x']] } })).toMatch(/model\.vocab\.0/);
    expect(refusal({ model: { type: 'Unigram', unk_id: 5, vocab: [['<unk>', 0]] } })).toMatch(/unk_id 5/);
  });

  it('refuses special tokens the vocabulary lacks', () => {
    expect(refusal({ model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0]] } })).toMatch(/"<\/s>" is not in the vocabulary/);
  });

  it('refuses a malformed tokenizer_config.json, naming it', () => {
    expect(refusal(json, { do_lower_case: 'yes' })).toMatch(/^tokenizer_config\.json: do_lower_case/);
  });
});
