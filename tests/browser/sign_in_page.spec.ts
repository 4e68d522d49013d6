import { test } from '@japa/runner'

test.group('Console sign-in page', () => {
  test('a signed-out visitor of the console lands on the sign-in form', async ({ visit }) => {
    const page = await visit('/console')

    await page.assertPath('/console/login')
    await page.assertVisible(page.getByLabel('Email'))
    await page.assertVisible(page.getByLabel('Password'))
    await page.assertVisible(page.getByRole('button', { name: /sign in/i }))
  })
})
