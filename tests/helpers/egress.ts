import app from '@adonisjs/core/services/app'
import type { Group } from '@japa/runner/core'
import { EgressPolicy } from '#messaging/egress/egress_policy'

/** Where every host name resolves to in withPublicDns: a public address */
export const PUBLIC_ADDRESS = '93.184.216.34'

/**
 * For a group whose tenants name hosts like postal.example.com, which this
 * machine's DNS does not resolve: each test gets a policy that resolves every
 * name to a public address, IP literals judged as they are, loopback allowed
 * as .env.test allows it.
 */
export function withPublicDns(group: Group) {
  group.each.setup(() => {
    const resolver = async () => [{ address: PUBLIC_ADDRESS, family: 4 }]
    app.container.swap(EgressPolicy, () => new EgressPolicy(['127.0.0.0/8', '::1/128'], resolver))
    return () => app.container.restore(EgressPolicy)
  })
}
