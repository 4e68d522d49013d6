import ipaddr from 'ipaddr.js'

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number]

/**
 * EGRESS_ALLOW: a comma-separated list of CIDRs the operator lets tenants
 * reach (e.g. `10.20.0.0/16,fd00::/8`). Empty or unset allows no internal
 * range. A malformed entry stops the start-up rather than being skipped.
 */
export function parseEgressAllow(spec: string): string[] {
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  entries.forEach(parseCidr)
  return entries
}

/** One CIDR in plain notation: dotted decimal for IPv4, so `0177.0.0.0/8` cannot mean 127/8 by surprise. */
export function parseCidr(cidr: string): Cidr {
  const trimmed = cidr.trim()
  if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(trimmed) && !ipaddr.IPv6.isValidCIDR(trimmed)) {
    throw new Error(`EGRESS_ALLOW: "${trimmed}" is not a CIDR range (e.g. 10.0.0.0/8 or ::1/128)`)
  }
  return ipaddr.parseCIDR(trimmed)
}
