import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ErrorCode, SightlineError, toSightlineError } from '../src/errors.ts';

describe('toSightlineError', () => {
  it('keeps a coded error as it is', () => {
    const err = new SightlineError(ErrorCode.CORRUPT_IMAGE, 'truncated', { item: 3 });
    expect(toSightlineError(err)).toBe(err);
  });

  it('wraps anything else with the fallback code and keeps the cause', () => {
    const cause = new TypeError('boom');
    const err = toSightlineError(cause, ErrorCode.INFERENCE_FAILED);
    expect(err.code).toBe('INFERENCE_FAILED');
    expect(err.message).toBe('boom');
    expect(err.cause).toBe(cause);
  });

  it('does not throw on values that cannot be stringified', () => {
    const hostile = { toString: () => { throw new Error('no'); } };
    expect(toSightlineError(hostile).message).toBe('internal error');
  });
});

describe('the README', () => {
  it('lists every public error code in its Error codes table, so a code a client meets is never undocumented', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## Architecture'));
    const tableRows = section.split('\n').filter((line) => line.startsWith('| `'));
    const documented = new Set(tableRows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1])));
    expect(Object.values(ErrorCode).filter((code) => !documented.has(code))).toEqual([]);
  });
});
