import { test } from '@japa/runner'
import {
  EgressPolicy,
  EgressRefusedError,
  type EgressResolver,
} from '#messaging/egress/egress_policy'

/** A resolver that answers every name with these addresses */
const resolvingTo =
  (...addresses: string[]): EgressResolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))

const PUBLIC = '93.184.216.34'

test.group('Egress policy: which addresses a tenant may reach', () => {
  test('{$self} is refused by default')
    .with([
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.1.1',
      '169.254.169.254',
      '169.254.1.1',
      'fe80::1',
      '100.64.0.1',
      '100.127.255.254',
      'fc00::1',
      'fd12:3456::1',
      '0.0.0.0',
      '0.1.2.3',
      '::',
      '255.255.255.255',
      '224.0.0.1',
      'ff02::1',
      '240.0.0.1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      'not-an-ip',
    ])
    .run(({ assert }, address) => {
      assert.throws(() => new EgressPolicy([]).assertAllowed(address), EgressRefusedError)
    })

  test('{$self} is allowed: a public unicast address')
    .with([
      PUBLIC,
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
    ])
    .run(({ assert }, address) => {
      assert.doesNotThrow(() => new EgressPolicy([]).assertAllowed(address))
    })

  test('EGRESS_ALLOW ranges are allowed, and nothing beyond them', ({ assert }) => {
    const policy = new EgressPolicy(['127.0.0.0/8', '10.20.0.0/16', 'fd00:1::/64'])

    assert.doesNotThrow(() => policy.assertAllowed('127.0.0.1'))
    assert.doesNotThrow(() => policy.assertAllowed('10.20.3.4'))
    assert.doesNotThrow(() => policy.assertAllowed('fd00:1::7'))
    // An IPv4-mapped address is judged as its IPv4 address, by the allow list too
    assert.doesNotThrow(() => policy.assertAllowed('::ffff:127.0.0.1'))
    assert.throws(() => policy.assertAllowed('10.21.0.1'), /10\.21\.0\.1 is a private address/)
    assert.throws(() => policy.assertAllowed('::1'), /::1 is a loopback address/)
    assert.throws(() => policy.assertAllowed('169.254.169.254'), /is a link-local address/)
    assert.throws(() => policy.assertAllowed('fd00:2::1'), /is a unique-local address/)
  })

  test('unrestricted() allows every address', ({ assert }) => {
    const policy = EgressPolicy.unrestricted()

    for (const address of ['127.0.0.1', '::1', '10.0.0.1', '169.254.169.254', 'fc00::1', PUBLIC]) {
      assert.doesNotThrow(() => policy.assertAllowed(address), address)
    }
  })

  test('a malformed EGRESS_ALLOW entry is refused at construction', ({ assert }) => {
    assert.throws(() => new EgressPolicy(['127.0.0.0/33']), /not a CIDR range/)
  })
})

test.group('Egress policy: a tenant-set URL at validation time', () => {
  test('{url} is refused ({reason})')
    .with([
      {
        url: 'http://localhost:8080/api',
        reason: /localhost resolves to 127\.0\.0\.1, a loopback/,
      },
      { url: 'http://0.0.0.0:8080/', reason: /0\.0\.0\.0 is an unspecified address/ },
      { url: 'http://[::1]:8080/', reason: /::1 is a loopback address/ },
      { url: 'http://[::ffff:127.0.0.1]/', reason: /is a loopback address/ },
      { url: 'http://2130706433/', reason: /127\.0\.0\.1 is a loopback address/ },
      { url: 'http://0177.0.0.1/', reason: /127\.0\.0\.1 is a loopback address/ },
      { url: 'http://0x7f.1/', reason: /127\.0\.0\.1 is a loopback address/ },
      {
        url: 'http://169.254.169.254/latest/meta-data/',
        reason: /169\.254\.169\.254 is a link-local address/,
      },
      { url: 'https://10.0.0.5/', reason: /10\.0\.0\.5 is a private address/ },
      { url: 'https://100.64.0.1/', reason: /carrier-grade NAT/ },
      { url: 'https://[fc00::1]/', reason: /fc00::1 is a unique-local address/ },
      { url: 'https://[fe80::1]/', reason: /link-local/ },
      { url: 'ftp://files.example.com/', reason: /http or https only/ },
      { url: 'not a url', reason: /not a valid URL/ },
    ])
    .run(async ({ assert }, { url, reason }) => {
      const policy = new EgressPolicy([], resolvingTo('127.0.0.1'))

      const error = await policy.vetUrl(url).catch((caught: unknown) => caught)

      assert.instanceOf(error, EgressRefusedError)
      assert.equal((error as EgressRefusedError).code, 'EGRESS_REFUSED')
      assert.match((error as Error).message, reason)
    })

  test('a name is refused when any of its addresses is internal', async ({ assert }) => {
    const policy = new EgressPolicy([], resolvingTo(PUBLIC, '10.0.0.8'))

    await assert.rejects(
      () => policy.vetUrl('https://mixed.example.com/'),
      /mixed\.example\.com resolves to 10\.0\.0\.8, a private address/
    )
  })

  test('a name that does not resolve yet is accepted: its connections are vetted when made', async ({
    assert,
  }) => {
    let answer: string | null = null
    const policy = new EgressPolicy([], async () => {
      if (answer) return [{ address: answer, family: 4 }]
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })
    })

    await assert.doesNotReject(() => policy.vetUrl('https://later.example.com/'))
    answer = '127.0.0.1'
    await assert.rejects(
      () => policy.vetHost('later.example.com'),
      /later\.example\.com resolves to 127\.0\.0\.1, a loopback address/
    )
  })

  test('a lookup that does not answer within the deadline is accepted like a name that does not resolve yet', async ({
    assert,
  }) => {
    const asked: string[] = []
    const policy = new EgressPolicy([], (hostname) => {
      asked.push(hostname)
      return new Promise(() => {})
    })

    await assert.doesNotReject(() =>
      policy.vetUrl('https://slow.example.com/', { lookupDeadlineMs: 50 })
    )
    assert.deepEqual(asked, ['slow.example.com'])
    // An IP literal needs no lookup: its refusal is not raced away
    await assert.rejects(
      () => policy.vetUrl('http://127.0.0.1/', { lookupDeadlineMs: 0 }),
      /127\.0\.0\.1 is a loopback address/
    )
  })

  test('the lookup deadline is 2 s unless given', async ({ assert }) => {
    const policy = new EgressPolicy([], () => new Promise(() => {}))
    const started = performance.now()

    await policy.vetUrl('https://slow.example.com/')

    assert.isAtLeast(performance.now() - started, 1_900)
  }).timeout(5_000)

  test('a name resolving to public addresses is accepted', async ({ assert }) => {
    const policy = new EgressPolicy([], resolvingTo(PUBLIC, '2606:4700:4700::1111'))

    await assert.doesNotReject(() => policy.vetUrl('https://api.example.com/v1'))
  })

  test('EGRESS_ALLOW=127.0.0.0/8 accepts a loopback URL', async ({ assert }) => {
    const policy = new EgressPolicy(['127.0.0.0/8'], resolvingTo('127.0.0.1'))

    await assert.doesNotReject(() => policy.vetUrl('http://localhost:4000/'))
    await assert.doesNotReject(() => policy.vetUrl('http://127.0.0.1:4000/'))
  })
})
