/** Asks for an API key when the server wants one; a search-only key is enough to search. */
import { useState } from 'react';

export function KeyPrompt({ refused, onKey }: { refused: boolean; onKey(key: string): void }) {
  const [key, setKey] = useState('');
  return (
    <form
      className="key-prompt"
      onSubmit={(e) => {
        e.preventDefault();
        if (key.trim() !== '') onKey(key.trim());
      }}
    >
      <h1>Sightline</h1>
      <h2>This server needs an API key</h2>
      {refused && <p className="error">The server refused that key.</p>}
      <p>
        A key with the <code>search</code> scope lets you search; adding files needs
        the <code>ingest</code> scope. The key is kept in this browser tab only, until you close it.
      </p>
      <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} placeholder="API key" aria-label="API key" />
      <button type="submit">Use this key</button>
    </form>
  );
}
