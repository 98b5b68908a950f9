/** GraphQL search arguments → the search service's request, validated at the edge. */
import { ErrorCode, SightlineError } from '../errors.ts';
import { MAX_HNSW_EF, MAX_OVERSAMPLING } from '../config.ts';
import { assertTextGiven } from '../extractor/tokenizer.ts';
import { parseSourceRef } from '../sources/index.ts';
import { MAX_QUERY_PARTS } from '../search/combined-query.ts';
import type { SearchAccuracy, SearchQuery, SearchRequest, SingleQuery } from './services.ts';
import type { QueryPartInput, QuerySearchArgs, SearchQueryInput } from './generated/resolvers-types.ts';
import { checkPaging } from '../store/store-input.ts';
import { toStoreFilter } from './filter-input.ts';

function badInput(message: string, details: Record<string, string | number> = {}): SightlineError {
  return new SightlineError(ErrorCode.BAD_USER_INPUT, message, details);
}

export function toSearchRequest(args: QuerySearchArgs): SearchRequest {
  const { limit, offset } = checkPaging(args.limit ?? 10, args.offset ?? 0);
  const request: SearchRequest = { query: args.query ? toSearchQuery(args.query) : null, limit, offset };
  if (args.featureUri != null) request.featureUri = args.featureUri;
  if (args.filter != null) request.filter = toStoreFilter(args.filter);
  if (args.scoreThreshold != null) request.scoreThreshold = args.scoreThreshold;
  if (args.minProbability != null) {
    if (!(args.minProbability > 0 && args.minProbability < 1)) {
      throw badInput('minProbability is a probability strictly between 0 and 1', { minProbability: args.minProbability });
    }
    request.minProbability = args.minProbability;
  }
  const accuracy = toAccuracy(args);
  if (Object.keys(accuracy).length > 0) request.accuracy = accuracy;
  return request;
}

function toAccuracy(args: QuerySearchArgs): SearchAccuracy {
  const accuracy: SearchAccuracy = {};
  if (args.exact != null) accuracy.exact = args.exact;
  if (args.rescore != null) accuracy.rescore = args.rescore;
  if (args.hnswEf != null) {
    if (args.hnswEf < 1 || args.hnswEf > MAX_HNSW_EF) {
      throw badInput(`hnswEf must be between 1 and ${MAX_HNSW_EF} (ask for exact: true to compare with every document)`, {
        hnswEf: args.hnswEf,
        max: MAX_HNSW_EF,
      });
    }
    accuracy.hnswEf = args.hnswEf;
  }
  if (args.oversampling != null) {
    if (!(args.oversampling >= 1 && args.oversampling <= MAX_OVERSAMPLING)) {
      throw badInput(`oversampling must be between 1 and ${MAX_OVERSAMPLING}`, { oversampling: args.oversampling, max: MAX_OVERSAMPLING });
    }
    accuracy.oversampling = args.oversampling;
  }
  return accuracy;
}

function toSearchQuery(input: SearchQueryInput): SearchQuery {
  if (input.parts == null) return toSingleQuery(input, 'query');
  const others = (['text', 'image', 'imageFile', 'documentId'] as const).filter((k) => input[k] != null);
  if (others.length > 0) throw badInput(`query sets exactly one of text, image, imageFile, documentId, parts (found parts, ${others.join(', ')})`);
  if (input.parts.length === 0 || input.parts.length > MAX_QUERY_PARTS) {
    throw badInput(`query.parts holds 1 to ${MAX_QUERY_PARTS} parts`, { parts: input.parts.length, max: MAX_QUERY_PARTS });
  }
  const parts = input.parts.map((part, i) => {
    if (!Number.isFinite(part.weight) || part.weight === 0) throw badInput(`query.parts.${i}.weight must be a non-zero number`);
    return { query: toSingleQuery(part, `query.parts.${i}`), weight: part.weight };
  });
  if (!parts.some((p) => p.weight > 0)) throw badInput('query.parts needs at least one part with a positive weight: negative ones only say what to avoid');
  return { kind: 'combined', parts };
}

function toSingleQuery(input: SearchQueryInput | QueryPartInput, field: string): SingleQuery {
  const given = (['text', 'image', 'imageFile', 'documentId'] as const).filter((k) => input[k] != null);
  if (given.length !== 1) {
    throw badInput(`${field} sets exactly one of text, image, imageFile, documentId${field === 'query' ? ', parts' : ''} (found ${given.join(', ') || 'none'})`);
  }
  if (input.text != null) {
    // Refused at the edge, before the model is asked (or found not ready).
    assertTextGiven(input.text);
    return { kind: 'text', text: input.text };
  }
  if (input.image != null) return { kind: 'image', source: parseSourceRef(input.image, { field: `${field}.image` }) };
  if (input.imageFile != null) return { kind: 'image', source: parseSourceRef(input.imageFile, { field: `${field}.imageFile` }) };
  return { kind: 'document', documentId: input.documentId! };
}
