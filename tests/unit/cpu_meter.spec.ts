import { test } from '@japa/runner'
import { CpuMeter } from '#bench/cpu_meter'

/** Spins this process's CPU until it has used `ms` of it */
function spin(ms: number) {
  const start = process.cpuUsage()
  let used = 0
  while (used < ms * 1000) {
    const { user, system } = process.cpuUsage(start)
    used = user + system
  }
  return used / 1_000_000
}

test.group('Benchmark CPU meter', () => {
  test('charges the CPU time a process used to its group, to within a few of the 10 ms ticks of /proc', async ({
    assert,
  }) => {
    const meter = new CpuMeter((pid) => (pid === process.pid ? 'bench' : 'rest'))
    const startedAt = performance.now()
    const section = await meter.start()
    const spent = spin(300)
    const shares = await section.stop()
    const seconds = (performance.now() - startedAt) / 1000

    // From % of one core back to CPU seconds
    assert.closeTo((shares.bench * seconds) / 100, spent, 0.08)
    assert.properties(shares, ['bench', 'rest', 'machine'])
    // The machine was at least as busy as this process
    assert.isAtLeast(shares.machine, shares.bench - 10)
  })
})
