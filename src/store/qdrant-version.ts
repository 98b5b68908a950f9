/**
 * Which Qdrant servers Sightline speaks to. The adapter is written and tested
 * against Qdrant v1.18's OpenAPI document, and follows qdrant-js's rule for
 * its 1.18 client (client-version.ts `isCompatible`): same major version,
 * minor versions at most one apart, so servers 1.17 to 1.19.
 */
import { ErrorCode, SightlineError } from '../errors.ts';

export const SPOKEN_VERSION = { major: 1, minor: 18 };
export const SUPPORTED_VERSIONS = '1.17 to 1.19';

export function checkServerVersion(version: unknown): void {
  const [major, minor] = typeof version === 'string' ? version.split('.', 2).map((part) => Number.parseInt(part, 10)) : [];
  const supported =
    major === SPOKEN_VERSION.major && minor !== undefined && Number.isInteger(minor) && Math.abs(minor - SPOKEN_VERSION.minor) <= 1;
  if (!supported) {
    throw new SightlineError(
      ErrorCode.STORE_VERSION_UNSUPPORTED,
      `Qdrant at QDRANT_URL reports version ${String(version)}; Sightline supports Qdrant ${SUPPORTED_VERSIONS} (run qdrant/qdrant:v1.18.3)`,
      { serverVersion: String(version), supported: SUPPORTED_VERSIONS },
    );
  }
}
