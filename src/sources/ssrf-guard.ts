/**
 * Keeps user-supplied URLs from reaching the server's own network: loopback,
 * private ranges, link-local (where cloud metadata lives) and the like. The
 * check runs on resolved addresses, and the address checked is the one the
 * request connects to, so a DNS answer that changes between check and connect
 * (rebinding) cannot slip through.
 */
import dns from 'node:dns';
import net from 'node:net';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ErrorCode, SightlineError } from '../errors.ts';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unspecified'
  | 'shared'
  | 'multicast'
  | 'reserved';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SsrfGuard {
  /** SIGHTLINE_ALLOW_PRIVATE_URLS: no address is refused. */
  allowPrivate: boolean;
  resolve: HostResolver;
  classify: (address: string) => AddressClass;
}

// Range names as ipaddr.js spells them (lib/ipaddr.js, SpecialRanges). A name
// missing here (one a library update adds) is refused until it is mapped:
// failing closed is the point of the guard.
const IPV4_RANGES: Record<string, AddressClass> = {
  unicast: 'public',
  // Globally routed anycast services (RFC 7534/7535, RFC 7450).
  as112: 'public',
  amt: 'public',
  unspecified: 'unspecified',
  broadcast: 'reserved',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'shared',
  private: 'private',
  reserved: 'reserved',
  benchmarking: 'reserved',
};

const IPV6_RANGES: Record<string, AddressClass> = {
  unicast: 'public',
  as112v6: 'public',
  amt: 'public',
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
  discard: 'reserved',
  benchmarking: 'reserved',
  deprecatedOrchid: 'reserved',
  orchid2: 'reserved',
  droneRemoteIdProtocolEntityTags: 'reserved',
  segmentRouting: 'reserved',
  reserved: 'reserved',
};

// Ranges whose addresses carry an IPv4 address that a translator or relay
// forwards to: the IPv4 decides. ipaddr.js names the ranges but converts only
// ipv4Mapped, so the readings below are ours.
const EMBEDDED_IPV4: Record<string, (a: ipaddr.IPv6) => number[][]> = {
  ipv4Mapped: ({ parts: p }) => [v4(p[6], p[7])],
  rfc6145: ({ parts: p }) => [v4(p[6], p[7])],
  // 2002:AABB:CCDD::/48 (RFC 3056).
  '6to4': ({ parts: p }) => [v4(p[1], p[2])],
  // Teredo (RFC 4380): the server's address, and the client's with its bits inverted.
  teredo: ({ parts: p }) => [v4(p[2], p[3]), v4(~(p[6] ?? 0), ~(p[7] ?? 0))],
  rfc6052: nat64Readings,
};

const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * 64:ff9b::/96 keeps the IPv4 in its last 32 bits. The local-use prefix
 * 64:ff9b:1::/48 (RFC 8215) may be cut at /48, /56, /64 or /96, each putting
 * the IPv4 elsewhere (RFC 6052 §2.2, skipping bits 64-71), and the server
 * cannot know which its network's translator uses: every reading must be public.
 */
function nat64Readings(address: ipaddr.IPv6): number[][] {
  const bytes = address.toByteArray();
  const at = (...i: number[]) => i.map((n) => bytes[n] ?? 0);
  const wellKnown = at(12, 13, 14, 15);
  if (address.match(NAT64_WELL_KNOWN)) return [wellKnown];
  return [at(6, 7, 9, 10), at(7, 9, 10, 11), at(9, 10, 11, 12), wellKnown];
}

function v4(high = 0, low = 0): number[] {
  return [(high >> 8) & 0xff, high & 0xff, (low >> 8) & 0xff, low & 0xff];
}

/** Which kind of network an IP address belongs to, by ipaddr.js's ranges. */
export function classifyAddress(address: string): AddressClass {
  const ip = address.replace(/%.*$/, '');
  if (net.isIP(ip) === 0) return 'reserved';
  const parsed = ipaddr.parse(ip);
  if (parsed.kind() === 'ipv4') return IPV4_RANGES[parsed.range()] ?? 'reserved';
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  const readings = EMBEDDED_IPV4[range];
  if (readings) return worstOf(readings(v6).map((octets) => classifyAddress(octets.join('.'))));
  // IPv4-compatible IPv6 (::a.b.c.d, deprecated by RFC 4291): ipaddr.js calls
  // it unicast, but nothing legitimate lives there.
  if (range === 'unicast' && v6.parts.slice(0, 6).every((n) => n === 0)) return 'reserved';
  return IPV6_RANGES[range] ?? 'reserved';
}

function worstOf(classes: AddressClass[]): AddressClass {
  return classes.find((c) => c !== 'public') ?? 'public';
}

export const resolveWithDns: HostResolver = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export function defaultSsrfGuard(allowPrivate: boolean): SsrfGuard {
  return { allowPrivate, resolve: resolveWithDns, classify: classifyAddress };
}

/**
 * Resolves the URL's host and returns the one address to connect to; throws
 * SOURCE_FORBIDDEN when any answer is off limits (a host with one private
 * answer among public ones is as dangerous as a wholly private one).
 */
export async function resolveAllowedAddress(url: URL, guard: SsrfGuard, signal: AbortSignal): Promise<ResolvedAddress> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = net.isIP(host);
  const answers: ResolvedAddress[] =
    literal !== 0 ? [{ address: host, family: literal === 6 ? 6 : 4 }] : await untilAborted(resolveHost(host, guard), signal);
  const first = answers[0];
  if (!first) throw new SightlineError(ErrorCode.SOURCE_FETCH_FAILED, `${host} has no address`, { url: url.href });
  if (guard.allowPrivate) return first;
  for (const { address } of answers) {
    const cls = guard.classify(address);
    if (cls !== 'public') {
      throw new SightlineError(
        ErrorCode.SOURCE_FORBIDDEN,
        `refusing to fetch ${url.href}: ${host} resolves to a ${cls} address (${address}); set SIGHTLINE_ALLOW_PRIVATE_URLS=true to allow private networks`,
        { url: url.href, address, addressClass: cls },
      );
    }
  }
  return first;
}

async function resolveHost(host: string, guard: SsrfGuard): Promise<ResolvedAddress[]> {
  try {
    return await guard.resolve(host);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new SightlineError(
      ErrorCode.SOURCE_FETCH_FAILED,
      `cannot resolve ${host}: ${String(code ?? err)}`,
      { host, reason: typeof code === 'string' ? code : 'dns' },
      { cause: err },
    );
  }
}

// getaddrinfo cannot be cancelled, but the fetch's deadline must still hold.
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A `lookup` for http.request that always answers with the address already checked. */
export function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}
