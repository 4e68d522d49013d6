import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import type { Page } from 'playwright'

/** The size of the README's pictures: a laptop, and a phone for the narrow layout */
export const LAPTOP = { width: 1280, height: 800 }
export const PHONE = { width: 390, height: 844 }

/**
 * The README's screenshot of the page as it is now, written to
 * docs/screenshots/<name>.png only when UPDATE_SCREENSHOTS=1; any other run
 * leaves the committed pictures alone. `viewport` PHONE takes the phone-width
 * picture and sets the page back to LAPTOP after.
 */
export async function screenshot(page: Page, name: string, viewport = LAPTOP) {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return
  await page.setViewportSize(viewport)
  await page.screenshot({
    path: join(fileURLToPath(app.appRoot), 'docs', 'screenshots', `${name}.png`),
    animations: 'disabled',
    caret: 'hide',
  })
  if (viewport !== LAPTOP) await page.setViewportSize(LAPTOP)
}
