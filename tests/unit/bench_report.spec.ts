import { test } from '@japa/runner'
import { buildResults, median, percentile, tableRows } from '#bench/report'

const info = {
  scale: 1,
  runs: 3,
  sizes: {},
  concurrency: {},
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:10:00.000Z',
  machine: {},
}

const bulkRun = (perSecond: number, addBulkPerSecond: number, copyPerSecond: number) => ({
  recipients: 100_000,
  seconds: 100_000 / perSecond,
  perSecond,
  addBulkPerSecond,
  copyPerSecond,
})

test.group('Benchmark report', () => {
  test('medians and nearest-rank percentiles', ({ assert }) => {
    assert.equal(median([3, 1, 2]), 2)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    const hundred = Array.from({ length: 100 }, (_, index) => 100 - index)
    assert.equal(percentile(hundred, 50), 50)
    assert.equal(percentile(hundred, 99), 99)
    assert.equal(percentile([7], 99), 7)
  })

  test('results.json has the issue shape, medians of the runs and a verdict per target', ({
    assert,
  }) => {
    const results = buildResults(
      {
        bulkAccept: [
          bulkRun(18_000, 21_000, 90_000),
          bulkRun(22_000, 20_000, 95_000),
          bulkRun(21_000, 19_000, 99_000),
        ],
        dispatch: [
          {
            messages: 50_000,
            seconds: 10,
            perSecond: 5000,
            duplicates: 0,
            noopWorkerPerSecond: 14_000,
          },
          {
            messages: 50_000,
            seconds: 20,
            perSecond: 2500,
            duplicates: 1,
            noopWorkerPerSecond: 12_000,
          },
          {
            messages: 50_000,
            seconds: 25,
            perSecond: 2000,
            duplicates: 0,
            noopWorkerPerSecond: 13_000,
          },
        ],
        priority: [
          { backlog: 100_000, backlogPerSecond: 4000, probes: 500, p50Ms: 5, p99Ms: 60, maxMs: 80 },
          { backlog: 100_000, backlogPerSecond: 4200, probes: 480, p50Ms: 6, p99Ms: 40, maxMs: 70 },
          { backlog: 100_000, backlogPerSecond: 3900, probes: 510, p50Ms: 7, p99Ms: 45, maxMs: 90 },
        ],
        webhooks: [
          { events: 20_000, seconds: 5, perSecond: 4000, bareReceiverPerSecond: 9000 },
          { events: 20_000, seconds: 4, perSecond: 5000, bareReceiverPerSecond: 7000 },
          { events: 20_000, seconds: 8, perSecond: 2500, bareReceiverPerSecond: 8000 },
        ],
        rss: {
          bulkAccept: { 'api': 180, 'worker-p0': 120, 'worker-p2': 150 },
          dispatch: { 'api': 170, 'worker-p0': 120, 'worker-p2': 210.5 },
        },
        rssFromScenarioStart: true,
      },
      info
    )

    assert.containsSubset(results, {
      bulkAccept: { perSecond: 21_000, ceilingPerSecond: 20_000, ratio: 1.05 },
      dispatch: { perSecond: 2500, ceilingPerSecond: 13_000, duplicatesAtGateway: 1 },
      priority: { p50Ms: 6, p99Ms: 45 },
      webhooks: { perSecond: 4000, ceilingPerSecond: 8000, ratio: 0.5 },
      rss: { workerMb: 210.5, apiMb: 180, peaksIncludeStartup: false },
    })
    assert.deepEqual(
      results.targets.map((target) => [target.name, target.met]),
      [
        ['bulk accept, recipients/s', true],
        ['dispatch, messages/s', false],
        ['priority P0 p50, ms', true],
        ['priority P0 p99, ms', true],
        ['webhooks, events/s', true],
        ['peak RSS worker, MB', false],
        ['peak RSS API, MB', true],
      ]
    )
    assert.lengthOf(tableRows(results), 7)
  })

  test('a scenario left out has no figures and no verdict', ({ assert }) => {
    const results = buildResults(
      {
        webhooks: [{ events: 400, seconds: 1, perSecond: 400, bareReceiverPerSecond: 800 }],
        rss: {},
        rssFromScenarioStart: true,
      },
      info
    )
    assert.notProperty(JSON.parse(JSON.stringify(results)), 'bulkAccept')
    assert.notProperty(JSON.parse(JSON.stringify(results)), 'rss')
    assert.deepEqual(
      results.targets.map((target) => target.name),
      ['webhooks, events/s']
    )
  })
})
