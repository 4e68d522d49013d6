/*
|--------------------------------------------------------------------------
| The console: HTML pages for people, at /console
|--------------------------------------------------------------------------
| Every route runs the session and shield (CSRF) middleware. Signed-out
| visitors reach only the sign-in pages; everything else answers 302 to
| /console/login. `admin` marks what changes a tenant's configuration (a
| viewer gets 403); `operator` marks what only operators see.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'
import { CONSOLE_PREFIX } from '#console/console_paths'

const SessionController = () => import('#controllers/console/session_controller')
const TwoFactorController = () => import('#controllers/console/two_factor_controller')
const PasswordResetsController = () => import('#controllers/console/password_resets_controller')
const InvitesController = () => import('#controllers/console/invites_controller')
const AccountController = () => import('#controllers/console/account_controller')
const UsersController = () => import('#controllers/console/users_controller')
const TenantSwitchController = () => import('#controllers/console/tenant_switch_controller')
const OverviewController = () => import('#controllers/console/overview_controller')
const MessagesController = () => import('#controllers/console/messages_controller')
const ProvidersController = () => import('#controllers/console/providers_controller')
const TenantsController = () => import('#controllers/console/tenants_controller')

// Strict forms: AdonisJS's uuid matcher lets g–z through (PostgreSQL then refuses the id: a 400),
// and its number matcher any length (past bigint: a 500); an id that cannot exist is a 404
const uuid = {
  match: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  cast: (value: string) => value.toLowerCase(),
}
const number = { match: /^[1-9][0-9]{0,14}$/, cast: (value: string) => Number(value) }
const admin = middleware.consoleRole({ roles: ['operator', 'admin'] })
const operator = middleware.consoleRole({ roles: ['operator'] })

router
  .group(() => {
    router
      .group(() => {
        router.get('/login', [SessionController, 'create']).as('login')
        router.post('/login', [SessionController, 'store']).as('login.store')
        router.get('/two-factor', [TwoFactorController, 'show']).as('two_factor')
        router.post('/two-factor', [TwoFactorController, 'store']).as('two_factor.store')
        router.get('/password/forgot', [PasswordResetsController, 'create']).as('password.forgot')
        router
          .post('/password/forgot', [PasswordResetsController, 'store'])
          .as('password.forgot.store')
        router
          .get('/password/reset/:token', [PasswordResetsController, 'edit'])
          .as('password.reset')
        router
          .post('/password/reset/:token', [PasswordResetsController, 'update'])
          .as('password.reset.update')
      })
      .use(middleware.consoleGuest())

    // Signed out or not: someone still signed in (as someone else) is told so, not sent away
    router.get('/invites/:token', [InvitesController, 'show']).as('invites.show')
    router.post('/invites/:token', [InvitesController, 'accept']).as('invites.accept')

    router
      .group(() => {
        router.post('/logout', [SessionController, 'destroy']).as('logout')
        router.get('/', [OverviewController, 'show']).as('overview')
        router.get('/overview/live', [OverviewController, 'live']).as('overview.live')

        router.get('/account', [AccountController, 'edit']).as('account')
        router
          .put('/account/password', [AccountController, 'updatePassword'])
          .as('account.password')
        // A tenant's people may turn two-factor sign-in on and off for themselves
        router
          .get('/account/two-factor', [AccountController, 'showTwoFactor'])
          .as('account.two_factor')
        router
          .post('/account/two-factor', [AccountController, 'enableTwoFactor'])
          .as('account.two_factor.store')
        router
          .delete('/account/two-factor', [AccountController, 'disableTwoFactor'])
          .as('account.two_factor.destroy')

        router.get('/messages', [MessagesController, 'index']).as('messages.index')
        router
          .get('/messages/:id', [MessagesController, 'show'])
          .where('id', uuid)
          .as('messages.show')
        router
          .get('/messages/:id/timeline', [MessagesController, 'timeline'])
          .where('id', uuid)
          .as('messages.timeline')
        router
          .post('/messages/:id/cancel', [MessagesController, 'cancel'])
          .where('id', uuid)
          .as('messages.cancel')
          .use(admin)
        router
          .post('/messages/:id/retry', [MessagesController, 'retry'])
          .where('id', uuid)
          .as('messages.retry')
          .use(admin)

        router.get('/providers', [ProvidersController, 'index']).as('providers.index')
        router.get('/providers/new', [ProvidersController, 'create']).as('providers.create')
        router.post('/providers', [ProvidersController, 'store']).as('providers.store').use(admin)
        router
          .get('/providers/:id/edit', [ProvidersController, 'edit'])
          .where('id', uuid)
          .as('providers.edit')
        router
          .put('/providers/:id', [ProvidersController, 'update'])
          .where('id', uuid)
          .as('providers.update')
          .use(admin)
        router
          .post('/providers/:id/enabled', [ProvidersController, 'toggle'])
          .where('id', uuid)
          .as('providers.toggle')
          .use(admin)
        router
          .post('/providers/:id/move', [ProvidersController, 'move'])
          .where('id', uuid)
          .as('providers.move')
          .use(admin)
        router
          .post('/providers/:id/test', [ProvidersController, 'test'])
          .where('id', uuid)
          .as('providers.test')
          .use(admin)
        router
          .delete('/providers/:id', [ProvidersController, 'destroy'])
          .where('id', uuid)
          .as('providers.destroy')
          .use(admin)

        router.get('/users', [UsersController, 'index']).as('users.index').use(admin)
        router.post('/users/invites', [InvitesController, 'store']).as('invites.store').use(admin)
        router
          .put('/users/:id', [UsersController, 'update'])
          .where('id', number)
          .as('users.update')
          .use(admin)
        router
          .delete('/users/:id', [UsersController, 'destroy'])
          .where('id', number)
          .as('users.destroy')
          .use(admin)
        router
          .post('/users/:id/enable', [UsersController, 'enable'])
          .where('id', number)
          .as('users.enable')
          .use(admin)

        router.post('/tenant', [TenantSwitchController, 'store']).as('tenant.switch').use(operator)
        router.get('/tenants', [TenantsController, 'index']).as('tenants.index').use(operator)
        router.post('/tenants', [TenantsController, 'store']).as('tenants.store').use(operator)
        router
          .get('/tenants/:id', [TenantsController, 'show'])
          .where('id', uuid)
          .as('tenants.show')
          .use(operator)
        router
          .post('/tenants/:id/suspend', [TenantsController, 'suspend'])
          .where('id', uuid)
          .as('tenants.suspend')
          .use(operator)
        router
          .post('/tenants/:id/resume', [TenantsController, 'resume'])
          .where('id', uuid)
          .as('tenants.resume')
          .use(operator)
      })
      .use(middleware.consoleAuth())
  })
  .prefix(CONSOLE_PREFIX)
  .as('console')
  .use([middleware.session(), middleware.shield()])
