import { test } from '@japa/runner'
import { buildResults, cpuTableRows, median, percentile, tableRows } from '#bench/report'

const info = {
  scale: 1,
  runs: 3,
  sizes: {},
  concurrency: {},
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:10:00.000Z',
  machine: {},
}

/** A run's CPU shares: the API, one busy worker, PostgreSQL and the machine */
const cpu = (api: number, worker = 60, postgres = 40) => ({
  'api': api,
  'worker-p2': worker,
  'worker-p0': 1,
  'postgres': postgres,
  'machine': api + worker + postgres + 1,
})

const bulkRun = (perSecond: number, addBulkPerSecond: number, copyPerSecond: number) => ({
  recipients: 100_000,
  seconds: 100_000 / perSecond,
  perSecond,
  addBulkPerSecond,
  copyPerSecond,
  cpuPercent: cpu(95),
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
            cpuPercent: cpu(5, 70),
          },
          {
            messages: 50_000,
            seconds: 20,
            perSecond: 2500,
            duplicates: 1,
            noopWorkerPerSecond: 12_000,
            cpuPercent: cpu(5, 60),
          },
          {
            messages: 50_000,
            seconds: 25,
            perSecond: 2000,
            duplicates: 0,
            noopWorkerPerSecond: 13_000,
            cpuPercent: cpu(5, 65),
          },
        ],
        priority: [
          {
            backlog: 100_000,
            backlogPerSecond: 4000,
            probes: 500,
            p50Ms: 5,
            p99Ms: 60,
            maxMs: 80,
            cpuPercent: cpu(10),
          },
          {
            backlog: 100_000,
            backlogPerSecond: 4200,
            probes: 480,
            p50Ms: 6,
            p99Ms: 40,
            maxMs: 70,
            cpuPercent: cpu(10),
          },
          {
            backlog: 100_000,
            backlogPerSecond: 3900,
            probes: 510,
            p50Ms: 7,
            p99Ms: 45,
            maxMs: 90,
            cpuPercent: cpu(10),
          },
        ],
        webhooks: [
          {
            events: 20_000,
            seconds: 5,
            perSecond: 4000,
            bareReceiverPerSecond: 9000,
            apiNoopPerSecond: 7000,
            cpuPercent: cpu(90, 0, 30),
          },
          {
            events: 20_000,
            seconds: 4,
            perSecond: 5000,
            bareReceiverPerSecond: 7000,
            apiNoopPerSecond: 9000,
            cpuPercent: cpu(99, 0, 50),
          },
          {
            events: 20_000,
            seconds: 8,
            perSecond: 2500,
            bareReceiverPerSecond: 8000,
            apiNoopPerSecond: 8500,
            cpuPercent: cpu(97, 0, 44),
          },
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
      webhooks: { perSecond: 4000, ceilingPerSecond: 8000, apiNoopPerSecond: 8500, ratio: 0.5 },
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

  test('every process group gets its median CPU share over the runs, and the table sums the workers', ({
    assert,
  }) => {
    const results = buildResults(
      {
        dispatch: [
          {
            messages: 100,
            seconds: 1,
            perSecond: 100,
            duplicates: 0,
            noopWorkerPerSecond: 900,
            cpuPercent: { 'api': 4, 'worker-p2': 70, 'postgres': 30, 'bench': 20, 'machine': 130 },
          },
          {
            messages: 100,
            seconds: 1,
            perSecond: 100,
            duplicates: 0,
            noopWorkerPerSecond: 900,
            cpuPercent: { 'api': 6, 'worker-p2': 50, 'postgres': 50, 'machine': 110 },
          },
          {
            messages: 100,
            seconds: 1,
            perSecond: 100,
            duplicates: 0,
            noopWorkerPerSecond: 900,
            cpuPercent: {
              'api': 5,
              'worker-p2': 60,
              'worker-p0': 2,
              'postgres': 40,
              'bench': 30,
              'machine': 140,
            },
          },
        ],
        rss: {},
        rssFromScenarioStart: true,
      },
      info
    )
    // bench: 20, absent (0) and 30; worker-p0: absent twice
    assert.deepEqual(results.dispatch!.cpuPercent, {
      'api': 5,
      'worker-p2': 60,
      'postgres': 40,
      'bench': 20,
      'machine': 130,
      'worker-p0': 0,
    })
    assert.deepEqual(cpuTableRows(results), [
      ['2 dispatch', '5%', '60%', '40%', '0%', '20%', '0%', '130%'],
    ])
  })

  test('a scenario left out has no figures and no verdict', ({ assert }) => {
    const results = buildResults(
      {
        webhooks: [
          {
            events: 400,
            seconds: 1,
            perSecond: 400,
            bareReceiverPerSecond: 800,
            apiNoopPerSecond: 900,
            cpuPercent: cpu(50),
          },
        ],
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
