/**
 * A generated SentencePiece-Unigram tokenizer in the Hugging Face `tokenizers`
 * layout of google/siglip-base-patch16-224 (as exported by Xenova): the real
 * vocabulary cannot be downloaded here, so generated models ship this one.
 * Ids follow SigLIP's: <pad> 0, </s> 1, <unk> 2; padding uses </s> (id 1),
 * because that is what SigLIP was trained with.
 */
import { ErrorCode, SightlineError } from '../../errors.ts';
import { seededRandom } from './seeded-random.ts';

const SPECIAL_TOKENS = { pad: '<pad>', eos: '</s>', unk: '<unk>' } as const;
const META = '\u2581';

/** Words and subwords a product catalogue uses, most frequent first: they win Viterbi against letters. */
const COMMON_PIECES = [
  'a', 'the', 'of', 'and', 'with', 'for', 'in', 'on', 'photo', 'picture', 'this', 'is', 'an', 'to', 'by',
  'red', 'blue', 'green', 'black', 'white', 'yellow', 'brown', 'gray', 'grey', 'pink', 'purple', 'orange',
  'gold', 'silver', 'dark', 'light', 'leather', 'cotton', 'wool', 'wood', 'wooden', 'metal', 'steel', 'glass',
  'plastic', 'ceramic', 'shoe', 'sneaker', 'boot', 'sandal', 'shirt', 'dress', 'jacket', 'coat', 'hat', 'bag',
  'backpack', 'watch', 'lamp', 'chair', 'table', 'sofa', 'mug', 'cup', 'bottle', 'phone', 'laptop', 'camera',
  'headphone', 'speaker', 'cat', 'dog', 'bird', 'car', 'bike', 'tree', 'flower', 'beach', 'sunset', 'mountain',
  'city', 'house', 'kitchen', 'product', 'small', 'large', 'big', 'new', 'old', 'round', 'square', 'soft',
  'running', 'women', 'men', 'kids', 'sport', 'classic', 'modern', 'vintage', 'sleek', 'pro', 'man', 'woman',
  'person', 'people', 'sitting', 'standing', 'front', 'back', 'side', 'view', 'close', 'up', 'top', 'pair',
].map((w) => META + w);
const SUFFIXES = ['s', 'es', 'ing', 'ed', 'er', 'ers', 'ly', 'y', 'al', 'ion', 'le', 'en', 'ic', 'ful', 'less'];
const LETTERS = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const ALPHABET = 'etaoinshrdlcumwfgypbvkjxqz';

export interface TokenizerFiles {
  tokenizerJson: object;
  tokenizerConfig: object;
}

/** Pieces whose scores fall below every curated one, so curated words keep their segmentations. */
function fillerPieces(count: number, taken: Set<string>, random: () => number): string[] {
  const out: string[] = [];
  while (out.length < count) {
    const length = 2 + Math.floor(random() * 6);
    let piece = random() < 0.5 ? META : '';
    for (let i = 0; i < length; i++) piece += ALPHABET[Math.floor(random() ** 1.6 * ALPHABET.length)];
    if (taken.has(piece)) continue;
    taken.add(piece);
    out.push(piece);
  }
  return out;
}

function buildVocab(vocabSize: number, seed: number): Array<[string, number]> {
  const letters = [META, ...LETTERS.map((c) => META + c), ...LETTERS];
  const curated = [...new Set([...COMMON_PIECES, ...SUFFIXES])].filter((p) => !letters.includes(p));
  const fixed = 3 + curated.length + letters.length;
  if (!Number.isInteger(vocabSize) || vocabSize < fixed) {
    throw new SightlineError(ErrorCode.INTERNAL_SERVER_ERROR, `vocabSize must be an integer of at least ${fixed}`, {
      vocabSize,
    });
  }
  const random = seededRandom(seed);
  const vocab: Array<[string, number]> = [
    [SPECIAL_TOKENS.pad, 0],
    [SPECIAL_TOKENS.eos, 0],
    [SPECIAL_TOKENS.unk, 0],
  ];
  // Curated pieces score -2..-6 and single characters -10..-12: a word is one piece, a split the fallback.
  curated.forEach((p, i) => vocab.push([p, -2 - (4 * i) / curated.length]));
  letters.forEach((p, i) => vocab.push([p, -10 - (2 * i) / letters.length - random() * 0.01]));
  const fillers = fillerPieces(vocabSize - vocab.length, new Set(vocab.map(([p]) => p)), random);
  const fillerScores = fillers.map(() => -13 - random() * 7).sort((a, b) => b - a);
  fillers.forEach((p, i) => vocab.push([p, fillerScores[i] ?? -20]));
  return vocab;
}

function addedToken(id: number, content: string) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** SigLIP's canonicalisation as `tokenizers` normalizers: lower case, no ASCII punctuation, one space. */
const normalizer = {
  type: 'Sequence',
  normalizers: [
    { type: 'Lowercase' },
    { type: 'Replace', pattern: { Regex: "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]" }, content: '' },
    { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
    { type: 'Strip', strip_left: true, strip_right: true },
    // sentencepiece's own nmt_nfkc normalisation runs after SigLIP's canonicalisation.
    { type: 'NFKC' },
  ],
};

export function buildTokenizerFiles(opts: { vocabSize: number; seed: number }): TokenizerFiles {
  const vocab = buildVocab(opts.vocabSize, opts.seed);
  const eosId = 1;
  const metaspace = { type: 'Metaspace', replacement: META, prepend_scheme: 'always', split: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [addedToken(0, SPECIAL_TOKENS.pad), addedToken(eosId, SPECIAL_TOKENS.eos), addedToken(2, SPECIAL_TOKENS.unk)],
    normalizer,
    pre_tokenizer: metaspace,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: SPECIAL_TOKENS.eos, type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: SPECIAL_TOKENS.eos, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: SPECIAL_TOKENS.eos, type_id: 0 } },
      ],
      special_tokens: { [SPECIAL_TOKENS.eos]: { id: SPECIAL_TOKENS.eos, ids: [eosId], tokens: [SPECIAL_TOKENS.eos] } },
    },
    decoder: metaspace,
    model: { type: 'Unigram', unk_id: 2, vocab, byte_fallback: false },
  };
  const tokenizerConfig = {
    added_tokens_decoder: Object.fromEntries(
      tokenizerJson.added_tokens.map(({ id, ...rest }) => [String(id), rest]),
    ),
    additional_special_tokens: [],
    clean_up_tokenization_spaces: true,
    do_lower_case: true,
    eos_token: SPECIAL_TOKENS.eos,
    model_input_names: ['input_ids'],
    model_max_length: 64,
    pad_token: SPECIAL_TOKENS.eos,
    processor_class: 'SiglipProcessor',
    sp_model_kwargs: {},
    tokenizer_class: 'SiglipTokenizer',
    unk_token: SPECIAL_TOKENS.unk,
  };
  return { tokenizerJson, tokenizerConfig };
}
