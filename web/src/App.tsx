/**
 * The search page: pick a collection, search it by words, an image or a stored
 * document (with words too), narrow it with filters, open a hit, add files.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { storeKey, storedKey } from './api-key.ts';
import { buildFilter, filterControls, type FilterControl, type FilterSetting } from './filters.ts';
import { ApiError } from './graphql.ts';
import { hitTitle } from './hit-labels.ts';
import { listCollections, sampleFields, type CollectionInfo, type Hit, type SearchQuery } from './sightline.ts';
import { useIngest } from './use-ingest.ts';
import { useSearch } from './use-search.ts';
import { FilterPanel } from './components/FilterPanel.tsx';
import { IngestProgress } from './components/IngestProgress.tsx';
import { KeyPrompt } from './components/KeyPrompt.tsx';
import { ResultDetail } from './components/ResultDetail.tsx';
import { ResultGrid } from './components/ResultGrid.tsx';
import { SearchBar, type Anchor } from './components/SearchBar.tsx';

/** Documents read to offer a keyword field's values as choices (the API has no facet query). */
const FILTER_SAMPLE = 500;

type Auth = 'ok' | 'needed' | 'refused';

function queryFor(text: string, anchor: Anchor): SearchQuery {
  const words = text.trim();
  if (anchor?.kind === 'image') return { kind: 'image', file: anchor.file, text: words };
  if (anchor?.kind === 'document') return { kind: 'document', id: anchor.id, text: words };
  return words === '' ? { kind: 'browse' } : { kind: 'text', text: words };
}

/** The collection named in the address (?collection=), so a search page can be linked to. */
function collectionInAddress(): string | null {
  return new URLSearchParams(location.search).get('collection');
}

function useCollections(apiKey: string | null) {
  const [collections, setCollections] = useState<CollectionInfo[] | null>(null);
  const [auth, setAuth] = useState<Auth>('ok');
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(() => {
    listCollections(apiKey).then(
      (list) => {
        setAuth('ok');
        setError(null);
        setCollections(list);
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') setAuth(apiKey ? 'refused' : 'needed');
        else setError(err instanceof Error ? err.message : String(err));
      },
    );
  }, [apiKey]);
  useEffect(refresh, [refresh]);
  return { collections, auth, error, refresh };
}

function useFilterControls(apiKey: string | null, collection: CollectionInfo | null, revision: number): FilterControl[] {
  const [controls, setControls] = useState<FilterControl[]>([]);
  useEffect(() => {
    setControls([]);
    if (!collection || collection.documentCount === 0) return;
    let current = true;
    sampleFields(apiKey, collection.name, FILTER_SAMPLE).then(
      (sample) => current && setControls(filterControls(collection.featureExtractor.fieldPassthrough, sample)),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [apiKey, collection, revision]);
  return controls;
}

export function App() {
  const [apiKey, setApiKey] = useState<string | null>(storedKey);
  const { collections, auth, error, refresh } = useCollections(apiKey);
  const [chosen, setChosen] = useState<string | null>(collectionInAddress);
  const [text, setText] = useState('');
  const [anchor, setAnchor] = useState<Anchor>(null);
  const [query, setQuery] = useState<SearchQuery>({ kind: 'browse' });
  const [settings, setSettings] = useState<Record<string, FilterSetting>>({});
  const [opened, setOpened] = useState<Hit | null>(null);
  const [revision, setRevision] = useState(0);
  const [dragging, setDragging] = useState(false);
  const fileChooser = useRef<HTMLInputElement>(null);

  const collection = collections?.find((c) => c.name === chosen) ?? collections?.[0] ?? null;
  const filter = useMemo(() => buildFilter(settings), [settings]);
  const results = useSearch(apiKey, collection?.name ?? null, query, filter, revision);
  const controls = useFilterControls(apiKey, collection, revision);
  const onStored = useCallback(() => {
    refresh();
    setRevision((r) => r + 1);
  }, [refresh]);
  const ingest = useIngest(apiKey, onStored);

  const chooseCollection = (name: string) => {
    setChosen(name);
    setSettings({});
    setAnchor(null);
    setQuery(queryFor(text, null));
    history.replaceState(null, '', `?collection=${encodeURIComponent(name)}`);
  };
  const search = (nextAnchor: Anchor, words: string) => {
    setAnchor(nextAnchor);
    setText(words);
    setQuery(queryFor(words, nextAnchor));
  };
  const moreLikeThis = (hit: Hit) => {
    setOpened(null);
    search({ kind: 'document', id: hit.id, title: hitTitle(hit) }, '');
    window.scrollTo({ top: 0 });
  };
  const addFiles = (files: File[]) => {
    if (collection) void ingest.start(collection, files);
  };
  const empty = collection !== null && collection.documentCount === 0;
  const dropOnPage = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const files = [...event.dataTransfer.files];
    if (files.length === 0 || !collection) return;
    // An empty collection takes the files; otherwise a dropped image is a search, as on the bar.
    if (empty) addFiles(files);
    else search({ kind: 'image', file: files[0]! }, '');
  };

  if (auth !== 'ok') {
    return (
      <KeyPrompt
        refused={auth === 'refused'}
        onKey={(key) => {
          storeKey(key);
          setApiKey(key);
        }}
      />
    );
  }

  return (
    <div
      className={dragging ? 'page dragging' : 'page'}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDragging(false)}
      onDrop={dropOnPage}
    >
      <header className="top">
        <h1>Sightline</h1>
        {collections && collections.length > 0 && (
          <select aria-label="Collection" value={collection?.name ?? ''} onChange={(e) => chooseCollection(e.target.value)}>
            {collections.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.documentCount})
              </option>
            ))}
          </select>
        )}
        <span className="spacer" />
        {collection && (
          <button type="button" className="secondary" onClick={() => fileChooser.current?.click()}>
            Add files…
          </button>
        )}
        <input
          ref={fileChooser}
          type="file"
          multiple
          hidden
          aria-label="Add files"
          onChange={(e) => {
            addFiles([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        {apiKey && (
          <button
            type="button"
            className="link"
            onClick={() => {
              storeKey(null);
              setApiKey(null);
            }}
          >
            Forget key
          </button>
        )}
        <a className="link" href="/graphql">
          Playground
        </a>
      </header>
      {error && <p className="error">{error}</p>}
      {collections && collections.length === 0 && (
        <div className="notice">
          <h2>No collections yet</h2>
          <p>
            Create one in the <a href="/graphql">playground</a> (<code>createCollection</code>), or load the demo catalogue with{' '}
            <code>npm run seed</code>, then reload this page.
          </p>
        </div>
      )}
      {collection && (
        <>
          <SearchBar
            text={text}
            anchor={anchor}
            onText={setText}
            onSubmit={() => search(anchor, text)}
            onImage={(file) => search({ kind: 'image', file }, '')}
            onClearAnchor={() => search(null, text)}
          />
          <IngestProgress files={ingest.files} running={ingest.running} onClose={ingest.clear} />
          {empty ? (
            <div className="notice drop-here">
              <h2>{collection.name} is empty</h2>
              <p>Drop images or PDFs anywhere on this page to add them, or choose them from disk.</p>
              <button type="button" onClick={() => fileChooser.current?.click()}>
                Choose files…
              </button>
            </div>
          ) : (
            <main className="results">
              <FilterPanel
                key={collection.name}
                controls={controls}
                settings={settings}
                onChange={(key, setting) =>
                  setSettings((old) => {
                    const { [key]: _removed, ...rest } = old;
                    return setting === null ? rest : { ...rest, [key]: setting };
                  })
                }
              />
              <section className="hits">
                {results.error && (
                  <p className="error" data-code={results.error.code}>
                    {results.error.message}
                  </p>
                )}
                {!results.loading && !results.error && results.hits.length === 0 && <p className="notice">Nothing matches.</p>}
                <ResultGrid results={results} apiKey={apiKey} onOpen={setOpened} onMoreLikeThis={moreLikeThis} />
              </section>
            </main>
          )}
        </>
      )}
      {opened && <ResultDetail hit={opened} apiKey={apiKey} onClose={() => setOpened(null)} onMoreLikeThis={moreLikeThis} />}
    </div>
  );
}
