/** The results as a grid of pictures; the next page loads as the grid's end scrolls into view. */
import { useEffect, useRef } from 'react';
import { hitTitle } from '../hit-labels.ts';
import type { Hit } from '../sightline.ts';
import type { SearchResults } from '../use-search.ts';
import { HitFacts } from './HitFacts.tsx';
import { HitImage } from './HitImage.tsx';

interface ResultGridProps {
  results: SearchResults;
  apiKey: string | null;
  onOpen(hit: Hit): void;
  onMoreLikeThis(hit: Hit): void;
}

export function ResultGrid({ results, apiKey, onOpen, onMoreLikeThis }: ResultGridProps) {
  const end = useRef<HTMLDivElement>(null);
  const { hits, loading, done, loadMore } = results;
  useEffect(() => {
    if (loading || done || !end.current) return;
    // A new observer reports at once, so a page too short to scroll still loads the next.
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) loadMore();
    }, { rootMargin: '200px' });
    observer.observe(end.current);
    return () => observer.disconnect();
  }, [loading, done, loadMore, hits.length]);

  return (
    <>
      <ol className="grid" aria-label="results">
        {hits.map((hit, rank) => (
          <li key={hit.id} className={hit.pageNumber === null ? 'card' : 'card document-page'} data-id={hit.id} data-rank={rank}>
            <button type="button" className="card-open" onClick={() => onOpen(hit)} title="Open its fields and source">
              <HitImage hit={hit} apiKey={apiKey} alt={hitTitle(hit)} />
            </button>
            <div className="card-text">
              <span className="card-title" title={hitTitle(hit)}>
                {hitTitle(hit)}
              </span>
              <HitFacts hit={hit} />
              <button type="button" className="link" onClick={() => onMoreLikeThis(hit)}>
                More like this
              </button>
            </div>
          </li>
        ))}
      </ol>
      <div ref={end} className="grid-end" aria-live="polite">
        {loading ? 'Loading…' : done && hits.length > 0 ? `${hits.length} result${hits.length === 1 ? '' : 's'}` : ''}
      </div>
    </>
  );
}
