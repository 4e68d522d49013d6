import type { LookupAddress, LookupOptions } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import type { Duplex } from 'node:stream'
import { EgressRefusedError } from '#messaging/egress/egress_refused_error'

/** What an agent asks of the egress policy (EgressPolicy, which builds the agents, is one). */
interface ConnectionVetter {
  vetHost(host: string): Promise<Array<{ address: string; family: number }>>
  assertAllowed(address: string): void
}

type ConnectCallback = (error: Error | null, stream: Duplex) => void
type Connect = (options: http.ClientRequestArgs) => Duplex | null | undefined
type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number
) => void

/**
 * An agent of either protocol, each new connection vetted by the policy. Keep-alive
 * reconnects and an SDK's retries open their connections here too.
 */
export function guardedAgent(
  policy: ConnectionVetter,
  protocol: 'http:' | 'https:',
  options?: http.AgentOptions | https.AgentOptions
): http.Agent {
  return protocol === 'https:'
    ? new GuardedHttpsAgent(policy, options)
    : new GuardedHttpAgent(policy, options)
}

class GuardedHttpAgent extends http.Agent {
  constructor(
    private policy: ConnectionVetter,
    options?: http.AgentOptions
  ) {
    super(options)
  }

  createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback) {
    return guardConnection(this.policy, options, callback, (vetted) =>
      super.createConnection(vetted, callback)
    )
  }
}

class GuardedHttpsAgent extends https.Agent {
  constructor(
    private policy: ConnectionVetter,
    options?: https.AgentOptions
  ) {
    super(options)
  }

  createConnection(options: https.RequestOptions, callback?: ConnectCallback) {
    return guardConnection(this.policy, options, callback, (vetted) =>
      super.createConnection(vetted, callback)
    )
  }
}

/**
 * net.connect asks `lookup` only for host names: an IP literal is judged here,
 * a name is resolved by the policy's resolver and the socket connects to the
 * very address that was vetted, so a second DNS answer cannot slip in between.
 * A caller's own `lookup` is replaced.
 */
function guardConnection(
  policy: ConnectionVetter,
  options: http.ClientRequestArgs,
  callback: ConnectCallback | undefined,
  connect: Connect
) {
  const refuse = (error: Error) => {
    if (!callback) throw error
    callback(error, undefined as unknown as Duplex)
    return undefined
  }
  if (options.socketPath) {
    return refuse(new EgressRefusedError('connections to a local socket are not allowed'))
  }
  const raw = options.host ?? options.hostname ?? 'localhost'
  const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw
  if (net.isIP(host) !== 0) {
    try {
      policy.assertAllowed(host)
    } catch (error) {
      return refuse(error as Error)
    }
    return connect({ ...options, host })
  }
  return connect({ ...options, host, lookup: vettedLookup(policy) })
}

/** A net `lookup` that answers only with addresses the policy allows. */
function vettedLookup(policy: ConnectionVetter) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    policy.vetHost(hostname).then(
      (addresses) => {
        const wanted = options.family
          ? addresses.filter((entry) => entry.family === options.family)
          : addresses
        if (wanted.length === 0) {
          const error: NodeJS.ErrnoException = new Error(
            `${hostname} has no IPv${options.family} address`
          )
          error.code = 'ENOTFOUND'
          return callback(error, '')
        }
        if (options.all) return callback(null, wanted)
        callback(null, wanted[0].address, wanted[0].family)
      },
      (error: NodeJS.ErrnoException) => callback(error, '')
    )
  }
}
