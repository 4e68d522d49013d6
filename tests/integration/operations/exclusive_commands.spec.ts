import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import { ExclusiveCommand } from '#scheduling/exclusive_command'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { truncateMessages } from '#tests/helpers/database'
import { runAce } from '#tests/helpers/ace_process'
import { runCommand } from '#tests/helpers/commands'
import { waitUntil } from '#tests/helpers/wait'

function gate() {
  let open!: () => void
  const closed = new Promise<void>((resolve) => (open = resolve))
  return { closed, open }
}

/** A scheduled command that keeps its lock until the test opens the gate (or the lock is lost). */
class HeldOpen extends ExclusiveCommand {
  static commandName = 'test:held-open'
  static lockTtl = 300
  static gate = gate()
  static runs = 0

  protected async runExclusive() {
    HeldOpen.runs++
    const lost = new Promise((resolve) => this.lockLost.addEventListener('abort', resolve))
    await Promise.race([HeldOpen.gate.closed, lost])
  }
}

async function startHeldOpen() {
  const command = await ace.create(HeldOpen, [])
  const running = command.exec()
  await waitUntil('the held-open run to start', async () => HeldOpen.runs === 1)
  return { command, running }
}

test.group('Scheduled commands run once at a time (ExclusiveCommand)', (group) => {
  group.each.setup(() => {
    HeldOpen.gate = gate()
    HeldOpen.runs = 0
    // A failed test must not leave a run holding its lock
    return () => HeldOpen.gate.open()
  })

  test('a second run while the first holds the lock is skipped, even past the lock TTL', async ({
    assert,
  }) => {
    const first = await startHeldOpen()
    // Several TTLs: only the heartbeat's extensions keep the lock
    await sleep(HeldOpen.lockTtl * 4)

    const skipped = await runCommand(HeldOpen)
    skipped.command.assertSucceeded()
    assert.include(skipped.logs.join('\n'), 'test:held-open is already running elsewhere, skipped')
    assert.equal(HeldOpen.runs, 1)

    HeldOpen.gate.open()
    await first.running
    first.command.assertSucceeded()
    assert.equal(await redis.exists(ExclusiveCommand.lockName('test:held-open')), 0, 'released')

    const next = await runCommand(HeldOpen)
    next.command.assertSucceeded()
    assert.equal(HeldOpen.runs, 2)
  })

  test('a run whose lock was taken over stops, fails, and leaves the new owner its lock', async ({
    assert,
  }) => {
    const locks = await app.container.make('lock.manager')
    const usurper = locks.createLock(ExclusiveCommand.lockName('test:held-open'), '1m')
    ace.ui.switchMode('raw')
    try {
      const { command, running } = await startHeldOpen()
      await usurper.forceRelease()
      assert.isTrue(await usurper.acquireImmediately())

      await running
      command.assertFailed()
      command.assertLogMatches(/lost the lock of test:held-open/)
    } finally {
      ace.ui.switchMode('normal')
    }
    assert.isTrue(await usurper.isLocked())
    await usurper.release()
  })

  test('another scheduler process skips comms:release-stuck while the lock is held, then runs it', async ({
    client,
    assert,
  }) => {
    await truncateMessages()
    const { headers } = await createTenant()
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', priority: 'P2', recipient: '+14155550100', content: { text: 'x' } })
    const id = created.body().id
    await emptyQueues()
    await db
      .from('messages')
      .where('id', id)
      .update({ status: 'sending', attempts: 1, locked_until: new Date(Date.now() - 1000) })
    const statusNow = async () => {
      const row = await db.from('messages').where('id', id).firstOrFail()
      return row.status
    }

    const locks = await app.container.make('lock.manager')
    const held = locks.createLock(ExclusiveCommand.lockName('comms:release-stuck'), '1m')
    assert.isTrue(await held.acquireImmediately())
    const skipped = await runAce(['comms:release-stuck', '--grace-seconds=0'])
    assert.equal(skipped.exitCode, 0, skipped.output)
    assert.include(skipped.output, 'comms:release-stuck is already running elsewhere, skipped')
    assert.equal(await statusNow(), 'sending')

    await held.release()
    const ran = await runAce(['comms:release-stuck', '--grace-seconds=0'])
    assert.equal(ran.exitCode, 0, ran.output)
    assert.include(ran.output, '1 expired leases were released')
    assert.equal(await statusNow(), 'queued')
  })
})
