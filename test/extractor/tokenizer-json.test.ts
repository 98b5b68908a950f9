import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { buildTokenizerFiles } from '../../src/extractor/model-generate/tokenizer-json.ts';
import { createTokenizer } from '../../src/extractor/tokenizer.ts';

type Json = {
  added_tokens: Array<{ id: number; content: string }>;
  pre_tokenizer: { type: string; replacement: string };
  model: { type: string; unk_id: number; vocab: Array<[string, number]>; byte_fallback: boolean };
};

describe('buildTokenizerFiles', () => {
  const files = buildTokenizerFiles({ vocabSize: 1000, seed: 3 });
  const json = files.tokenizerJson as Json;

  it('writes a Unigram model with exactly vocabSize distinct pieces', () => {
    expect(json.model.type).toBe('Unigram');
    expect(json.model.byte_fallback).toBe(false);
    expect(json.model.vocab).toHaveLength(1000);
    expect(new Set(json.model.vocab.map(([p]) => p)).size).toBe(1000);
    expect(buildTokenizerFiles({ vocabSize: 32000, seed: 3 }).tokenizerJson).toMatchObject({
      model: { vocab: { length: 32000 } },
    });
  });

  it("uses SigLIP's special token ids and pads with </s>", () => {
    expect(json.added_tokens.map((t) => [t.id, t.content])).toEqual([
      [0, '<pad>'],
      [1, '</s>'],
      [2, '<unk>'],
    ]);
    expect(json.model.unk_id).toBe(2);
    expect(json.pre_tokenizer).toMatchObject({ type: 'Metaspace', replacement: '\u2581' });
    expect(files.tokenizerConfig).toMatchObject({
      pad_token: '</s>',
      eos_token: '</s>',
      unk_token: '<unk>',
      do_lower_case: true,
      model_max_length: 64,
    });
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(buildTokenizerFiles({ vocabSize: 1000, seed: 3 })).toEqual(files);
    expect(buildTokenizerFiles({ vocabSize: 1000, seed: 4 })).not.toEqual(files);
  });

  it('encodes any canonical ASCII text without unknown tokens', () => {
    const tokenizer = createTokenizer(files.tokenizerJson, files.tokenizerConfig);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 .,!') }), (text) => {
        expect(tokenizer.encode(text)).not.toContain(json.model.unk_id);
      }),
    );
  });

  it('refuses a vocabulary too small for its fixed pieces', () => {
    expect(() => buildTokenizerFiles({ vocabSize: 50, seed: 1 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INTERNAL_SERVER_ERROR }),
    );
  });
});
