import dns from 'node:dns'
import type http from 'node:http'
import type https from 'node:https'
import net from 'node:net'
import ipaddr from 'ipaddr.js'
import { guardedAgent } from '#messaging/egress/egress_agent'
import { EgressRefusedError } from '#messaging/egress/egress_refused_error'
import { type Cidr, parseCidr } from '#messaging/egress/egress_allow'

export { EgressRefusedError }

/** Resolves a host name to its addresses (dns.promises.lookup(host, { all: true }) by default). */
export type EgressResolver = (
  hostname: string
) => Promise<Array<{ address: string; family: number }>>

const systemResolver: EgressResolver = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true })

/** The ranges no tenant may reach unless the operator allows them, by ipaddr.js's range names */
const REFUSED_RANGES: Record<string, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  uniqueLocal: 'a unique-local address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
}

/**
 * Decides which addresses a tenant-steered outbound call may reach: public
 * unicast ones, plus the operator's EGRESS_ALLOW ranges. Every other range
 * (internal networks, the cloud metadata address, and the special-purpose
 * blocks that embed or translate to them) is refused. The same policy vets a
 * URL when a tenant sets it and every connection made later, since a name can
 * resolve elsewhere by then.
 */
export class EgressPolicy {
  /** Every address allowed: only for system providers an operator configured. */
  static unrestricted(): EgressPolicy {
    return new EgressPolicy(['0.0.0.0/0', '::/0'])
  }

  readonly #allow: Cidr[]

  /** allow: CIDR list from EGRESS_ALLOW ([] = no internal range allowed) */
  constructor(
    allow: string[],
    private resolver: EgressResolver = systemResolver
  ) {
    this.#allow = allow.map(parseCidr)
  }

  /**
   * Validation-time check of a tenant-set URL: resolves now, throws
   * EgressRefusedError. A name that does not resolve yet (a gateway whose DNS
   * is still being set up, a machine without DNS) is accepted: there is no
   * address to refuse, and every connection is vetted again when it is made.
   * So is one whose lookup takes longer than lookupDeadlineMs: this runs
   * inside an API request, which a tenant naming slow hosts must not tie up
   * for the resolver's own timeouts.
   */
  async vetUrl(url: string, { lookupDeadlineMs = 2_000 } = {}): Promise<void> {
    if (!URL.canParse(url)) throw new EgressRefusedError('not a valid URL')
    const { protocol, hostname } = new URL(url)
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new EgressRefusedError(`${protocol} URLs are not allowed: http or https only`)
    }
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, lookupDeadlineMs)
    })
    try {
      await Promise.race([this.vetHost(hostname), deadline])
    } catch (error) {
      if (error instanceof EgressRefusedError) throw error
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * The addresses a host may be reached at: an IP literal as it is, a name
   * resolved (every address must pass, so which one a client picks does not
   * matter). Throws EgressRefusedError, or the resolver's own error.
   */
  async vetHost(host: string): Promise<Array<{ address: string; family: number }>> {
    const hostname = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
    const family = net.isIP(hostname)
    if (family !== 0) {
      this.assertAllowed(hostname)
      return [{ address: hostname, family }]
    }
    const addresses = await this.resolver(hostname)
    if (addresses.length === 0) throw new EgressRefusedError(`${hostname} has no address`)
    for (const { address } of addresses) {
      const refusal = this.#refusal(address)
      if (refusal) throw new EgressRefusedError(`${hostname} resolves to ${address}, ${refusal}`)
    }
    return addresses
  }

  /** Throws EgressRefusedError naming the range when this IP is not allowed. */
  assertAllowed(address: string): void {
    const refusal = this.#refusal(address)
    if (refusal) throw new EgressRefusedError(`${address} is ${refusal}`)
  }

  /**
   * An http.Agent / https.Agent whose every connection is vetted at connect time (DNS resolved by
   * the policy's resolver, IP literals checked too) and pinned to the vetted address. Options are
   * passed to the Agent constructor (keepAlive, maxSockets, timeout, ...).
   */
  agent(
    protocol: 'http:' | 'https:',
    options?: http.AgentOptions | https.AgentOptions
  ): http.Agent {
    return guardedAgent(this, protocol, options)
  }

  /** Why this address is refused, or null when it is allowed */
  #refusal(address: string): string | null {
    if (!ipaddr.isValid(address)) return 'not an IP address'
    // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) reaches its IPv4 address
    const ip = ipaddr.process(address)
    if (this.#allow.some(([range, bits]) => ip.kind() === range.kind() && ip.match(range, bits))) {
      return null
    }
    const range = ip.range()
    if (range === 'unicast') return null
    return REFUSED_RANGES[range] ?? `a special-purpose address (${range})`
  }
}
