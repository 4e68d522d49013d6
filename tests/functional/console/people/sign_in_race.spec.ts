import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import {
  ConsoleAgent,
  enrolmentSecret,
  noticeOf,
  totpCode,
  type Page,
} from '#tests/helpers/console_agent'

const INCORRECT_PASSWORD = 'The email or password is incorrect.'
const INCORRECT_CODE = 'That code is not valid.'
const LOCKED = 'Too many failed attempts.'
const WRONG = 20

/** Each browser's answer to its own form: signed in, or the notice it was sent back with */
async function outcomes(agents: ConsoleAgent[], answers: Page[]) {
  return Promise.all(
    answers.map(async (answer, index) =>
      answer.location === '/console'
        ? 'signed in'
        : (noticeOf(await agents[index].htmlAfter(answer)) ?? `no notice (${answer.status})`)
    )
  )
}

function tally(outcomesSeen: string[]) {
  const starting = (prefix: string) => outcomesSeen.filter((seen) => seen.startsWith(prefix))
  return {
    signedIn: starting('signed in').length,
    incorrect: starting(INCORRECT_PASSWORD).length + starting(INCORRECT_CODE).length,
    locked: starting(LOCKED).length,
  }
}

/**
 * 20 wrong answers and the right one, sent at once from 21 browsers: each
 * attempt is counted before it is checked, so at most 5 are checked and the
 * rest are refused unchecked. Before, all 21 passed the lock check while the
 * slow checks ran, and the right one signed in after 20 failures.
 */
function assertAtMostFiveChecked(assert: Assert, seen: string[]) {
  const { signedIn, incorrect, locked } = tally(seen)
  assert.equal(signedIn + incorrect + locked, WRONG + 1, seen.join(' | '))
  assert.isAtMost(signedIn + incorrect, 5, seen.join(' | '))
  // The right answer was among the first 5 checked, or refused with the rest
  if (signedIn === 0) assert.equal(incorrect, 5, seen.join(' | '))
}

test.group('Console sign-in: parallel attempts', () => {
  test('20 wrong passwords and the right one at once: at most 5 are checked', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const agents = Array.from({ length: WRONG + 1 }, () => new ConsoleAgent())
    await Promise.all(agents.map((agent) => agent.get('/console/login')))

    const answers = await Promise.all(
      agents.map((agent, index) =>
        agent.post('/console/login', {
          email: admin.email,
          password: index === WRONG / 2 ? CONSOLE_TEST_PASSWORD : `wrong password ${index}`,
        })
      )
    )
    assertAtMostFiveChecked(assert, await outcomes(agents, answers))
  })

  test('20 wrong codes and the right one at once: at most 5 are checked', async ({ assert }) => {
    const operator = await createConsoleUser('operator')
    const enrolling = new ConsoleAgent()
    await enrolling.signIn(operator.email, CONSOLE_TEST_PASSWORD)
    const enrolment = await enrolling.get('/console/two-factor')
    const secret = enrolmentSecret(enrolment.html)
    const enrolled = await enrolling.post('/console/two-factor', { code: totpCode(secret) })
    assert.equal(enrolled.location, '/console')

    // Each browser gave the right password (which does not count) and waits for a code
    const agents = Array.from({ length: WRONG + 1 }, () => new ConsoleAgent())
    for (const agent of agents) {
      const afterPassword = await agent.signIn(operator.email, CONSOLE_TEST_PASSWORD)
      assert.equal(afterPassword.location, '/console/two-factor')
      await agent.get('/console/two-factor')
    }
    const right = totpCode(secret, Date.now() + 30_000)
    const near = [0, 30_000, 60_000].map((shift) => totpCode(secret, Date.now() + shift))
    const wrong = ['000000', '111111', '222222'].find((code) => !near.includes(code))!
    const answers = await Promise.all(
      agents.map((agent, index) =>
        agent.post('/console/two-factor', { code: index === WRONG / 2 ? right : wrong })
      )
    )
    assertAtMostFiveChecked(assert, await outcomes(agents, answers))
  })
})
