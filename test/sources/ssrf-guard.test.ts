import { describe, expect, it } from 'vitest';
import { classifyAddress, resolveAllowedAddress } from '../../src/sources/ssrf-guard.ts';
import type { ResolvedAddress, SsrfGuard } from '../../src/sources/ssrf-guard.ts';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    // IPv4-mapped IPv6, dotted and hex forms, inherit the IPv4 class.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a00:1', 'private'],
    // NAT64 (RFC 6052): the well-known prefix keeps the IPv4 in the last 32 bits.
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::169.254.169.254', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::ac10:1', 'private'],
    ['64:ff9b::c0a8:101', 'private'],
    // 6to4 (RFC 3056): 2002:AABB:CCDD::/48.
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a9fe:a9fe::', 'link-local'],
    ['2002:c0a8:101:1::1', 'private'],
    // IPv4-translated (RFC 6145) and Teredo (RFC 4380, client bits inverted).
    ['::ffff:0:7f00:1', 'loopback'],
    ['2001:0:808:808::80ff:fffe', 'loopback'],
    ['2001:0:a9fe:a9fe::f7f7:f7f7', 'link-local'],
    // IPv4-compatible IPv6 (deprecated) and ranges the old table missed.
    ['::7f00:1', 'reserved'],
    ['::808:808', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['fec0::1', 'private'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '64:ff9b:1:808:8:808:800:808',
    '2002:808:808::1',
    '2001:0:808:808::f7f7:f7f7',
  ])(
    '%s is public',
    (address) => {
      expect(classifyAddress(address)).toBe('public');
    },
  );

  // The local-use prefix (RFC 8215) may be cut at /96, /48, /56 or /64; the
  // server cannot know which, so 169.254.169.254 or 10.0.0.1 in any position is refused.
  it.each(['64:ff9b:1::a9fe:a9fe', '64:ff9b:1:7f00:1::', '64:ff9b:1:a9:fe:a9fe::', '64:ff9b:1:0:a:0:100::'])(
    'local-use NAT64 %s is off limits',
    (address) => {
      expect(classifyAddress(address)).not.toBe('public');
    },
  );

  it('treats something that is not an IP address as off limits', () => {
    expect(classifyAddress('example.com')).not.toBe('public');
  });
});

describe('resolveAllowedAddress', () => {
  const never = new AbortController().signal;
  const guardResolving = (answers: ResolvedAddress[], allowPrivate = false): SsrfGuard => ({
    allowPrivate,
    resolve: async () => answers,
    classify: classifyAddress,
  });

  it('returns the first answer when all are public', async () => {
    const guard = guardResolving([{ address: '93.184.216.34', family: 4 }, { address: '2606:2800::1', family: 6 }]);
    await expect(resolveAllowedAddress(new URL('http://images.example/a.png'), guard, never)).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
  });

  it('refuses a host when any of its answers is private', async () => {
    const guard = guardResolving([{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }]);
    await expect(resolveAllowedAddress(new URL('http://mixed.example/a.png'), guard, never)).rejects.toMatchObject({
      code: 'SOURCE_FORBIDDEN',
      details: { address: '10.0.0.5', addressClass: 'private' },
    });
  });

  it('checks IP literals without asking DNS', async () => {
    const guard: SsrfGuard = { allowPrivate: false, resolve: () => Promise.reject(new Error('no DNS')), classify: classifyAddress };
    await expect(resolveAllowedAddress(new URL('http://169.254.169.254/latest/'), guard, never)).rejects.toMatchObject({
      code: 'SOURCE_FORBIDDEN',
    });
    await expect(resolveAllowedAddress(new URL('http://[::ffff:127.0.0.1]/'), guard, never)).rejects.toMatchObject({
      code: 'SOURCE_FORBIDDEN',
      details: { addressClass: 'loopback' },
    });
  });

  it.each([
    'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
    'http://[64:ff9b::169.254.169.254]/latest/meta-data/',
    'http://[64:FF9B:0:0:0:0:A9FE:A9FE]/',
    'http://[64:ff9b:1::7f00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[2002:a9fe:a9fe::1]/',
  ])('refuses %s, an IPv6 literal that embeds an off-limits IPv4', async (href) => {
    const guard: SsrfGuard = { allowPrivate: false, resolve: () => Promise.reject(new Error('no DNS')), classify: classifyAddress };
    await expect(resolveAllowedAddress(new URL(href), guard, never)).rejects.toMatchObject({ code: 'SOURCE_FORBIDDEN' });
  });

  it('refuses a host whose DNS answer is a NAT64 address of the metadata service', async () => {
    const guard = guardResolving([{ address: '64:ff9b::a9fe:a9fe', family: 6 }]);
    await expect(resolveAllowedAddress(new URL('http://rebind.example/'), guard, never)).rejects.toMatchObject({
      code: 'SOURCE_FORBIDDEN',
      details: { addressClass: 'link-local' },
    });
  });

  it('allows private answers when SIGHTLINE_ALLOW_PRIVATE_URLS is on', async () => {
    const guard = guardResolving([{ address: '127.0.0.1', family: 4 }], true);
    await expect(resolveAllowedAddress(new URL('http://localhost/a.png'), guard, never)).resolves.toMatchObject({
      address: '127.0.0.1',
    });
  });

  it('turns a DNS failure into SOURCE_FETCH_FAILED', async () => {
    const guard: SsrfGuard = {
      allowPrivate: false,
      resolve: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
      classify: classifyAddress,
    };
    await expect(resolveAllowedAddress(new URL('http://nowhere.invalid/'), guard, never)).rejects.toMatchObject({
      code: 'SOURCE_FETCH_FAILED',
      details: { reason: 'ENOTFOUND' },
    });
  });
});
