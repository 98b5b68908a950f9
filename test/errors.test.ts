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
