/**
 * SigLIP's text tokenizer: the reference SiglipTokenizer's canonicalisation,
 * then SentencePiece-Unigram segmentation over the vocabulary in the model's
 * `tokenizer.json`, then `</s>` and padding to a fixed length.
 */
import { z } from 'zod';
import { ErrorCode, SightlineError } from '../errors.ts';

export interface Tokenizer {
  /** Exactly `maxLength` ids: tokens, `</s>`, then pad ids. */
  encode(text: string): number[];
  /** The text as the model sees it before segmentation: texts with the same normal form get the same ids. */
  normalize(text: string): string;
  padId: number;
  eosId: number;
}

export interface TokenizerOptions {
  /**
   * Ids per text. SigLIP's text model has 64 positions and was trained on
   * texts padded to all of them.
   * @default 64
   */
  maxLength?: number;
}

const META = '\u2581';
/** Python's `string.punctuation`: what SigLIP's canonicalisation removes. */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
/** Python's `\s` (str.isspace), which differs from JavaScript's at \x1c-\x1f, \x85 and \ufeff. */
const WHITESPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
/** sentencepiece's penalty below the lowest piece score for a character no piece covers. */
const UNK_PENALTY = 10;

/** SiglipTokenizer.canonicalize_text, with the lower-casing its base class applies first. */
/**
 * The one rule for text to embed, wherever it comes from (a search query, the
 * CLI's embed-text): blank text would embed as padding alone, a vector that
 * matches nothing in particular, so it is refused rather than answered.
 */
export function assertTextGiven(text: string): void {
  if (text.trim() === '') throw new SightlineError(ErrorCode.EMPTY_INPUT, 'the text is empty: give the words to embed or search for');
}

export function canonicalizeText(text: string, lowerCase = true): string {
  const lowered = lowerCase ? text.replaceAll(META, ' ').toLowerCase() : text.replaceAll(META, ' ');
  return lowered.replace(PUNCTUATION, '').replace(WHITESPACE, ' ').trim();
}

const tokenName = z.union([z.string(), z.object({ content: z.string() })]);
const tokenizerJsonSchema = z.object({
  added_tokens: z
    .array(z.object({ id: z.number().int().min(0), content: z.string(), special: z.boolean().optional() }))
    .default([]),
  pre_tokenizer: z.object({ replacement: z.string().optional() }).nullish(),
  model: z.object({
    type: z.literal('Unigram'),
    unk_id: z.number().int().min(0),
    vocab: z.array(z.tuple([z.string(), z.number()])).min(1),
  }),
});
const tokenizerConfigSchema = z.object({
  do_lower_case: z.boolean().default(true),
  pad_token: tokenName.default('</s>'),
  eos_token: tokenName.default('</s>'),
  unk_token: tokenName.default('<unk>'),
});

function refuse(file: string, what: string): SightlineError {
  return new SightlineError(ErrorCode.MODEL_INVALID, `${file}: ${what}`, { file });
}

function parse<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw refuse(file, problems.join('; '));
}

interface TrieNode {
  next: Map<number, TrieNode>;
  /** -1 where no piece ends here. */
  id: number;
  score: number;
}

function buildTrie(vocab: Array<[string, number]>, skip: Set<number>): TrieNode {
  const root: TrieNode = { next: new Map(), id: -1, score: 0 };
  vocab.forEach(([piece, score], id) => {
    if (skip.has(id) || piece.length === 0) return;
    let node = root;
    for (const ch of piece) {
      const cp = ch.codePointAt(0) as number;
      let child = node.next.get(cp);
      if (!child) {
        child = { next: new Map(), id: -1, score: 0 };
        node.next.set(cp, child);
      }
      node = child;
    }
    node.id = id;
    node.score = score;
  });
  return root;
}

/** The highest-scoring segmentation (Viterbi); a run of uncovered characters becomes one unk. */
function segment(word: number[], trie: TrieNode, unkId: number, unkScore: number): number[] {
  const n = word.length;
  const best = new Float64Array(n + 1).fill(-Infinity);
  const from = new Int32Array(n + 1);
  const via = new Int32Array(n + 1);
  best[0] = 0;
  for (let i = 0; i < n; i++) {
    const start = best[i] as number;
    let node: TrieNode | undefined = trie;
    let coversChar = false;
    for (let j = i; j < n && node; j++) {
      node = node.next.get(word[j] as number);
      if (node === undefined || node.id < 0) continue;
      if (j === i) coversChar = true;
      if (start + node.score > (best[j + 1] as number)) {
        best[j + 1] = start + node.score;
        from[j + 1] = i;
        via[j + 1] = node.id;
      }
    }
    if (!coversChar && start + unkScore > (best[i + 1] as number)) {
      best[i + 1] = start + unkScore;
      from[i + 1] = i;
      via[i + 1] = unkId;
    }
  }
  const ids: number[] = [];
  for (let end = n; end > 0; end = from[end] as number) {
    const id = via[end] as number;
    if (id !== unkId || ids[ids.length - 1] !== unkId) ids.push(id);
  }
  return ids.reverse();
}

function resolveId(name: z.infer<typeof tokenName>, added: Map<string, number>, vocabIds: Map<string, number>): number {
  const content = typeof name === 'string' ? name : name.content;
  const id = added.get(content) ?? vocabIds.get(content);
  if (id === undefined) throw refuse('tokenizer.json', `special token ${JSON.stringify(content)} is not in the vocabulary`);
  return id;
}

export function createTokenizer(tokenizerJson: unknown, tokenizerConfig: unknown, opts: TokenizerOptions = {}): Tokenizer {
  const maxLength = opts.maxLength ?? 64;
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, 'maxLength must be a positive integer', { maxLength });
  }
  const spec = parse(tokenizerJsonSchema, tokenizerJson, 'tokenizer.json');
  const config = parse(tokenizerConfigSchema, tokenizerConfig, 'tokenizer_config.json');
  const { vocab, unk_id: unkId } = spec.model;
  if (unkId >= vocab.length) throw refuse('tokenizer.json', `model.unk_id ${unkId} is outside the vocabulary`);
  const replacement = spec.pre_tokenizer?.replacement ?? META;

  const added = new Map(spec.added_tokens.map((t) => [t.content, t.id]));
  const vocabIds = new Map(vocab.map(([piece], id) => [piece, id]));
  const padId = resolveId(config.pad_token, added, vocabIds);
  const eosId = resolveId(config.eos_token, added, vocabIds);
  resolveId(config.unk_token, added, vocabIds);
  // Special tokens are control symbols: text never segments into them.
  const trie = buildTrie(vocab, new Set([unkId, ...spec.added_tokens.filter((t) => t.special !== false).map((t) => t.id)]));
  const unkScore = vocab.reduce((min, [, score]) => Math.min(min, score), Infinity) - UNK_PENALTY;

  // sentencepiece normalises (NFKC) after SigLIP's canonicalisation; whitespace is cleaned again after it.
  const normalize = (text: string) => canonicalizeText(text, config.do_lower_case).normalize('NFKC').replace(WHITESPACE, ' ').trim();

  return {
    padId,
    eosId,
    normalize,
    encode(text: string): number[] {
      const canonical = normalize(text);
      // Truncation keeps room for </s>: SigLIP's text pooler reads the last position, and a long
      // text that loses </s> gets an embedding unlike any it was trained on.
      const budget = maxLength - 1;
      const ids: number[] = [];
      if (canonical.length > 0) {
        for (const word of canonical.split(' ')) {
          if (ids.length >= budget) break;
          const codePoints = Array.from(replacement + word, (ch) => ch.codePointAt(0) as number);
          ids.push(...segment(codePoints, trie, unkId, unkScore));
        }
      }
      ids.length = Math.min(ids.length, budget);
      ids.push(eosId);
      while (ids.length < maxLength) ids.push(padId);
      return ids;
    },
  };
}
