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
import { ErrorCode, SightlineError } from '../../errors.ts';

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

type Rule = [AddressClass, string, number, 'ipv4' | 'ipv6'];

// Checked in order. IPv4-mapped IPv6 (::ffff:a.b.c.d) matches the IPv4 rules,
// which node's BlockList does for us.
const RULES: Rule[] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['shared', '100.64.0.0', 10, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  // IPv4-compatible IPv6 (deprecated): nothing legitimate lives there.
  ['reserved', '::', 96, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['private', 'fec0::', 10, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
];

const BLOCKS: Array<[AddressClass, net.BlockList]> = RULES.map(([cls, prefix, bits, type]) => {
  const list = new net.BlockList();
  list.addSubnet(prefix, bits, type);
  return [cls, list];
});

/** Which kind of network an IP address belongs to; anything unlisted is public. */
export function classifyAddress(address: string): AddressClass {
  const ip = address.replace(/%.*$/, '');
  const family = net.isIP(ip);
  if (family === 0) return 'reserved';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const [cls, list] of BLOCKS) if (list.check(ip, type)) return cls;
  return 'public';
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
