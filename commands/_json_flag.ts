import type { BaseCommand } from '@adonisjs/core/ace'

/**
 * A flag holding JSON (`--config '{"apiKey":"…"}'`), parsed; null (logged,
 * the command's exit code set to 1) when it is not JSON. The message never
 * quotes the text: a provider config holds secrets, and the parser's own
 * message would echo part of it.
 */
export function parsedJsonFlag(
  command: BaseCommand,
  flag: string,
  text: string
): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) }
  } catch {
    command.logger.error(
      `--${flag} is not valid JSON: give a JSON object, e.g. --${flag}='{"key":"value"}'`
    )
    command.exitCode = 1
    return null
  }
}
