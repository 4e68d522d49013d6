import { test } from '@japa/runner'
import { TurnBatch } from '#messaging/turn_batch'

/** A batch runner that answers when told to, recording what each batch held */
function controlledRunner() {
  const batches: number[][] = []
  const releases: Array<() => void> = []
  const run = async (items: number[]) => {
    batches.push(items)
    await new Promise<void>((resolve) => releases.push(resolve))
    return items.map((item) => item * 10)
  }
  return { batches, releases, run }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

test.group('TurnBatch', () => {
  test('calls of one turn share a batch and each gets its own result', async ({ assert }) => {
    const batch = new TurnBatch(async (items: number[]) => items.map((item) => item + 1))
    const results = await Promise.all([batch.add(1), batch.add(2), batch.add(3)])
    assert.deepEqual(results, [2, 3, 4])
  })

  test('while maxInFlight batches run, new calls gather into the next one', async ({ assert }) => {
    const runner = controlledRunner()
    const batch = new TurnBatch(runner.run, { maxInFlight: 1 })

    const first = batch.add(1)
    await nextTurn()
    const later = [batch.add(2), batch.add(3)]
    await nextTurn()
    const last = batch.add(4)
    await nextTurn()
    assert.deepEqual(runner.batches, [[1]])

    runner.releases[0]()
    await nextTurn()
    await nextTurn()
    assert.deepEqual(runner.batches, [[1], [2, 3, 4]])
    runner.releases[1]()
    assert.deepEqual(await Promise.all([first, ...later, last]), [10, 20, 30, 40])
  })

  test('maxItems splits what gathered into several batches', async ({ assert }) => {
    const sizes: number[] = []
    const batch = new TurnBatch(
      async (items: number[]) => {
        sizes.push(items.length)
        return items
      },
      { maxItems: 2 }
    )
    const results = await Promise.all([1, 2, 3, 4, 5].map((item) => batch.add(item)))
    assert.deepEqual(results, [1, 2, 3, 4, 5])
    assert.deepEqual(sizes, [2, 2, 1])
  })

  test('a batch that throws rejects every call in it', async ({ assert }) => {
    const batch = new TurnBatch(async (): Promise<number[]> => {
      throw new Error('database away')
    })
    const outcomes = await Promise.allSettled([batch.add(1), batch.add(2)])
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['rejected', 'rejected']
    )
  })
})
