import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSourceRef, sourceLabel } from '../../src/sources/source-ref.ts';

const PNG_HEAD = Buffer.from('89504e470d0a1a0a', 'hex');
const JPEG_HEAD = Buffer.from('ffd8ffe000104a464946', 'hex');

describe('parseSourceRef', () => {
  it('accepts http and https URLs', () => {
    const ref = parseSourceRef('  https://cdn.example.com/photos/sunset beach.jpg ');
    expect(ref).toMatchObject({ kind: 'url' });
    expect(sourceLabel(ref)).toBe('https://cdn.example.com/photos/sunset%20beach.jpg');
    expect(parseSourceRef('HTTP://example.com/a.png')).toMatchObject({ kind: 'url' });
  });

  it('splits an s3 URI into bucket and key, keeping the key verbatim', () => {
    const ref = parseSourceRef('s3://my-bucket/products/laptop pro.jpg');
    expect(ref).toEqual({ kind: 's3', bucket: 'my-bucket', key: 'products/laptop pro.jpg' });
    expect(sourceLabel(ref)).toBe('s3://my-bucket/products/laptop pro.jpg');
  });

  it('decodes a base64 data URI and an upload object to the same bytes and label', () => {
    const b64 = PNG_HEAD.toString('base64');
    const fromUri = parseSourceRef(`data:image/png;base64,${b64}`);
    const fromObject = parseSourceRef({ base64: b64 });
    expect(fromUri).toMatchObject({ kind: 'bytes', bytes: PNG_HEAD });
    expect(sourceLabel(fromUri)).toBe(sourceLabel(fromObject));
    expect(sourceLabel(fromUri)).toMatch(/^upload:sha256:[0-9a-f]{16}$/);
  });

  it('labels uploads by content: same bytes, same label; other bytes, other label', () => {
    const a = sourceLabel(parseSourceRef({ base64: 'AAECAw==' }));
    expect(sourceLabel(parseSourceRef({ base64: 'AAEC\nAw==' }))).toBe(a);
    expect(sourceLabel(parseSourceRef({ base64: 'AAECBA==' }))).not.toBe(a);
  });

  it.each([
    ['ftp://example.com/a.png', /"ftp:" scheme/],
    ['file:///etc/passwd', /"file:" scheme.*reads no local files/],
    ['images/cat.png', /neither a URI nor the base64.*file path.*reads no local files/],
    ['/abs/path.png', /file path.*reads no local files/],
    ['aGVsbG8gd29ybGQ=', /neither a URI nor the base64 of a supported image/],
    ['https://', /malformed|no host/],
    ['s3://ab/key', /bucket name/],
    ['s3://my-bucket', /no object key/],
    ['s3://my-bucket/', /no object key/],
    ['data:image/png,rawbytes', /base64/],
    ['data:image/png;base64,not*base64', /malformed/],
    ['data:image/png;base64,', /empty/],
  ])('refuses %j with INVALID_SOURCE', (value, reason) => {
    expect(() => parseSourceRef(value)).toThrow(expect.objectContaining({ code: 'INVALID_SOURCE', message: expect.stringMatching(reason) }));
  });

  // Path-normalising S3 stores and proxies would resolve these into another bucket.
  it.each([
    's3://allowed-bucket/../other-bucket/cat.jpg',
    's3://allowed-bucket/./cat.jpg',
    's3://allowed-bucket/a/..',
    's3://allowed-bucket/..',
    's3://allowed-bucket/%2e%2e/other-bucket/cat.jpg',
    's3://allowed-bucket/%2E%2e/other-bucket/cat.jpg',
    's3://allowed-bucket/.%2e/other-bucket/cat.jpg',
    's3://allowed-bucket/%252e%252e/other-bucket/cat.jpg',
    's3://allowed-bucket/..%2fother-bucket/cat.jpg',
    's3://allowed-bucket/..\\other-bucket\\cat.jpg',
    's3://allowed-bucket/photos\\..\\..\\other-bucket/cat.jpg',
    's3://allowed-bucket/..%5cother-bucket/cat.jpg',
    's3://allowed-bucket/\uff0e\uff0e/other-bucket/cat.jpg',
  ])('refuses the S3 key in %j with INVALID_SOURCE', (value) => {
    expect(() => parseSourceRef(value)).toThrow(
      expect.objectContaining({ code: 'INVALID_SOURCE', message: expect.stringMatching(/"\." or "\.\." segment/) }),
    );
  });

  it.each(['s3://my-bucket/a..b/c.jpg', 's3://my-bucket/.hidden/cat.jpg', 's3://my-bucket/photos/cat..jpg', 's3://my-bucket/...'])(
    'keeps %j, whose dots are part of a name',
    (value) => {
      expect(parseSourceRef(value)).toMatchObject({ kind: 's3' });
    },
  );

  it.each([[null], [42], [['https://a.example/x.png']], [{ url: 'https://a.example/x.png' }], [{ base64: 'A' }]])(
    'refuses %j and names the accepted forms',
    (value) => {
      expect(() => parseSourceRef(value)).toThrow(
        expect.objectContaining({ code: 'INVALID_SOURCE', message: expect.stringContaining('s3://bucket/key') }),
      );
    },
  );

  it('accepts plain base64 when its bytes are a supported type, labelled like the same bytes uploaded', () => {
    const b64 = PNG_HEAD.toString('base64');
    const plain = parseSourceRef(b64);
    expect(plain).toMatchObject({ kind: 'bytes', bytes: PNG_HEAD });
    expect(sourceLabel(plain)).toBe(sourceLabel(parseSourceRef({ base64: b64 })));
    // A JPEG's base64 starts with "/9j/", like an absolute path: the bytes decide.
    expect(parseSourceRef(JPEG_HEAD.toString('base64'))).toMatchObject({ kind: 'bytes', bytes: JPEG_HEAD });
    expect(parseSourceRef(JPEG_HEAD.toString('base64'), { localFilesFrom: '/tmp' })).toMatchObject({ kind: 'bytes' });
  });

  it.each([[''], ['   ']])('refuses the blank string %j as EMPTY_INPUT, naming the field', (value) => {
    expect(() => parseSourceRef(value, { field: 'product_image' })).toThrow(
      expect.objectContaining({ code: 'EMPTY_INPUT', message: expect.stringMatching(/^product_image: the image source is empty/) }),
    );
  });

  it('reads paths as local files only when the CLI allows them, relative to its folder', () => {
    const opts = { localFilesFrom: '/data/catalogue' };
    expect(parseSourceRef('images/cat.png', opts)).toEqual({ kind: 'file', path: path.resolve('/data/catalogue/images/cat.png') });
    expect(parseSourceRef('/abs/path.png', opts)).toEqual({ kind: 'file', path: '/abs/path.png' });
    expect(parseSourceRef('file:///abs/a%20b.png', opts)).toEqual({ kind: 'file', path: '/abs/a b.png' });
    expect(sourceLabel(parseSourceRef('/abs/a b.png', opts))).toBe('file:///abs/a%20b.png');
    expect(parseSourceRef('https://a.example/x.png', opts)).toMatchObject({ kind: 'url' });
  });
});
