import ace from '@adonisjs/core/services/ace'
import type { BaseCommand } from '@adonisjs/core/ace'

/**
 * Run an ace command (by name or class) in the test process with its output
 * captured: raw mode, where a table renders one line per row with its cells
 * joined by `|`. The command's exit code and error are for the test to check
 * (`command.assertSucceeded()`); `logs` are the lines, `output` the same as one text.
 */
export async function runCommand<T extends typeof BaseCommand>(
  command: string | T,
  argv: string[] = [],
  prepare?: (instance: InstanceType<T>) => void
) {
  ace.ui.switchMode('raw')
  const Command = (typeof command === 'string' ? await findCommand(command) : command) as T
  const instance = (await ace.create(Command, argv)) as InstanceType<T>
  prepare?.(instance)
  await instance.exec()
  const logs = ace.ui.logger.getLogs().map((log) => log.message)
  return { command: instance, logs, output: logs.join('\n') }
}

async function findCommand(name: string) {
  await ace.boot()
  return ace.find(name)
}
