/** Where the console lives: its pages, and the files public/ serves for them. */
export const CONSOLE_PREFIX = '/console'
export const CONSOLE_LOGIN_PATH = `${CONSOLE_PREFIX}/login`
const ASSET_PREFIX = '/assets/'

export function isConsoleRequest(url: string) {
  return (
    url === CONSOLE_PREFIX || url.startsWith(`${CONSOLE_PREFIX}/`) || url.startsWith(ASSET_PREFIX)
  )
}
