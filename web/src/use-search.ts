/**
 * The result list: the first page when the search changes, the next page on
 * `loadMore` (the grid calls it as its end scrolls into view). An answer to a
 * search the user has since changed is dropped, and its request aborted.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FilterInput } from './filters.ts';
import { search, type Hit, type SearchPage, type SearchQuery } from './sightline.ts';

export const PAGE_SIZE = 24;
/** The API refuses deeper offsets: a deep page costs as much as everything before it. */
const MAX_OFFSET = 100_000;

export interface SearchResults {
  hits: Hit[];
  loading: boolean;
  /** No more pages. */
  done: boolean;
  error: { code: string; message: string } | null;
  loadMore(): void;
}

type ResultState = Omit<SearchResults, 'loadMore'>;

/** One search as it stands: what it asks, and what it has so far. */
interface Current {
  params: Omit<SearchPage, 'limit' | 'offset'> | null;
  apiKey: string | null;
  state: ResultState;
  controller: AbortController | null;
}

const IDLE: ResultState = { hits: [], loading: false, done: true, error: null };

export function useSearch(
  apiKey: string | null,
  collection: string | null,
  query: SearchQuery,
  filter: FilterInput | null,
  /** Changes when the collection's content does (after an ingest), to search again. */
  revision: number,
): SearchResults {
  const [state, setState] = useState<ResultState>(IDLE);
  // The search in force, changed in one step when a new one starts. A scroll
  // callback still queued from the grid's previous search then finds it
  // loading or finished, never an old search's list to extend.
  const current = useRef<Current>({ params: null, apiKey: null, state: IDLE, controller: null });

  const fetchPage = useCallback((offset: number, before: Hit[]) => {
    const now = current.current;
    if (now.params === null) return;
    now.controller?.abort();
    const controller = new AbortController();
    const update = (next: ResultState) => {
      if (current.current.controller !== controller) return;
      current.current.state = next;
      setState(next);
    };
    now.controller = controller;
    update({ hits: before, loading: true, done: false, error: null });
    search(now.apiKey, { ...now.params, limit: PAGE_SIZE, offset }, controller.signal).then(
      (hits) => {
        const all = [...before, ...hits];
        update({ hits: all, loading: false, done: hits.length < PAGE_SIZE || all.length + PAGE_SIZE > MAX_OFFSET, error: null });
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        const { code = 'INTERNAL_SERVER_ERROR', message = String(err) } = err as { code?: string; message?: string };
        update({ hits: before, loading: false, done: true, error: { code, message } });
      },
    );
  }, []);

  // A filter is compared by its conditions: a new object with the same ones is the same search.
  const filterJson = JSON.stringify(filter);
  useEffect(() => {
    const params = collection === null ? null : { collection, query, filter: JSON.parse(filterJson) as FilterInput | null };
    current.current.controller?.abort();
    current.current = { params, apiKey, state: IDLE, controller: null };
    setState(IDLE);
    fetchPage(0, []);
    return () => current.current.controller?.abort();
  }, [apiKey, collection, query, filterJson, revision, fetchPage]);

  const loadMore = useCallback(() => {
    const { state: now } = current.current;
    if (!now.loading && !now.done) fetchPage(now.hits.length, now.hits);
  }, [fetchPage]);

  return { ...state, loadMore };
}
