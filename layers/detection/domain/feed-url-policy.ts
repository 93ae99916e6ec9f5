import { isIP } from "node:net";

/**
 * Which feed URLs the scrapers may fetch (ADR 0016): only the stage's configured feeds, and never
 * an address inside the network (private, loopback, link-local, unspecified), judged after DNS
 * resolution. The local stage's own fixture feed runs on this machine, so its host is allowed by
 * name there, and only there.
 */
export interface FeedUrlPolicy {
  /** The stage's `feedUrls`. */
  readonly configured: readonly string[];
  /** `host:port`s allowed although they resolve inside the network (the local stage's fixture feed only). */
  readonly privateHostsAllowed: readonly string[];
}

/** A feed URL the policy refuses; the message names the rule, never what the host answered. */
export class FeedUrlRefusedError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`feed ${url} refused: ${reason}`);
    this.name = "FeedUrlRefusedError";
  }
}

/** Refuses a URL that is not one of the configured feeds (compared as parsed URLs). */
export function requireConfigured(url: string, policy: FeedUrlPolicy): void {
  const wanted = normalized(url);
  if (!wanted || !policy.configured.some((feed) => normalized(feed) === wanted)) {
    throw new FeedUrlRefusedError(url, "not one of the stage's configured feeds");
  }
}

const normalized = (url: string) => {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
};

const ipv4 = (address: string) => address.split(".").map(Number) as [number, number, number, number];

/** Whether an IP address is inside a network rather than on the internet. */
export function isInternalAddress(address: string): boolean {
  const mapped = address.toLowerCase().match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/)?.[1];
  if (mapped) return isInternalAddress(mapped);
  if (isIP(address) === 4) {
    const [a, b] = ipv4(address);
    return (
      a === 0 || // this network
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
      (a === 169 && b === 254) || // link-local, including the instance metadata service
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224 // multicast and reserved
    );
  }
  if (isIP(address) === 6) {
    const first = address.toLowerCase();
    return (
      first === "::" ||
      first === "::1" ||
      /^f[cd]/.test(first) || // unique local fc00::/7
      /^fe[89ab]/.test(first) || // link-local fe80::/10
      first.startsWith("ff") // multicast
    );
  }
  // Not an address at all: treat as internal, never as safe.
  return true;
}

/**
 * Refuses a host that resolves to any internal address, unless the policy allows it by name.
 * Every address counts: one internal answer among public ones is enough to refuse.
 */
export function requirePublicAddresses(url: URL, addresses: readonly string[], policy: FeedUrlPolicy): void {
  if (policy.privateHostsAllowed.includes(url.host)) return;
  if (addresses.length === 0) throw new FeedUrlRefusedError(url.href, "its host did not resolve");
  const internal = addresses.find(isInternalAddress);
  if (internal) throw new FeedUrlRefusedError(url.href, `its host resolves to an internal address (${internal})`);
}
