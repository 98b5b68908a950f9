import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig({ HOME: '/home/u' });
    expect(c.server.port).toBe(4000);
    expect(c.model.batchSize).toBe(16);
    expect(c.model.executionProvider).toBe('cpu');
    expect(c.limits.maxSourceBytes).toBe(10 * 1024 * 1024);
    expect(c.model.dir).toBe('/home/u/.local/share/sightline/models/siglip-base-patch16-224');
  });

  it('lists every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'eighty', EXECUTION_PROVIDER: 'tpu', INFERENCE_BATCH_SIZE: '0' })).toThrow(
      /PORT[\s\S]*EXECUTION_PROVIDER[\s\S]*INFERENCE_BATCH_SIZE|PORT[\s\S]*INFERENCE_BATCH_SIZE[\s\S]*EXECUTION_PROVIDER/,
    );
  });

  it('parses lists and booleans', () => {
    const c = loadConfig({ SIGHTLINE_API_KEYS: 'a, b,,c', SIGHTLINE_ALLOW_PRIVATE_URLS: 'true' });
    expect(c.server.apiKeys).toEqual(['a', 'b', 'c']);
    expect(c.fetch.allowPrivateUrls).toBe(true);
  });
});
