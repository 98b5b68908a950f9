/**
 * The result list: the first page when the search changes, the next page on
 * `loadMore` (the grid calls it as its end scrolls into view). An answer to a
 * search the user has since changed is dropped, and its request aborted.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FilterInput } from './filters.ts';
import { search, type Hit, type SearchQuery } from './sightline.ts';

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

export function useSearch(
  apiKey: string | null,
  collection: string | null,
  query: SearchQuery,
  filter: FilterInput | null,
  /** Changes when the collection's content does (after an ingest), to search again. */
  revision: number,
): SearchResults {
  const [state, setState] = useState<Omit<SearchResults, 'loadMore'>>({ hits: [], loading: false, done: true, error: null });
  const current = useRef<AbortController | null>(null);
  const filterJson = JSON.stringify(filter);

  const fetchFrom = useCallback(
    (offset: number, before: Hit[]) => {
      if (collection === null) return;
      current.current?.abort();
      const controller = new AbortController();
      current.current = controller;
      setState({ hits: before, loading: true, done: false, error: null });
      search(apiKey, { collection, query, filter, limit: PAGE_SIZE, offset }, controller.signal).then(
        (hits) => {
          if (controller.signal.aborted) return;
          const all = [...before, ...hits];
          setState({ hits: all, loading: false, done: hits.length < PAGE_SIZE || all.length + PAGE_SIZE > MAX_OFFSET, error: null });
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          const { code = 'INTERNAL_SERVER_ERROR', message = String(err) } = err as { code?: string; message?: string };
          setState({ hits: before, loading: false, done: true, error: { code, message } });
        },
      );
    },
    // filterJson stands for filter: a new object with the same conditions is the same search.
    [apiKey, collection, query, filterJson],
  );

  useEffect(() => {
    fetchFrom(0, []);
    return () => current.current?.abort();
  }, [fetchFrom, revision]);

  const loadMore = useCallback(() => {
    if (!state.loading && !state.done) fetchFrom(state.hits.length, state.hits);
  }, [fetchFrom, state]);

  return { ...state, loadMore };
}
