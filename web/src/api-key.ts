/**
 * The API key lives in sessionStorage only: it is gone when the browser tab
 * closes, never written to localStorage, a cookie or the page itself.
 */
const STORAGE_KEY = 'sightline.apiKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, key);
}
