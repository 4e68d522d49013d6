import { randomBytes } from 'node:crypto'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { errors } from '@vinejs/vine'
import { findTenant, validated } from './_input.js'

export default class UsersCreate extends BaseCommand {
  static commandName = 'users:create'
  static description =
    'Create a console user: the first operator, or a tenant user without an invite'
  static help = [
    'node ace users:create --operator --email=ops@example.com',
    'node ace users:create --tenant=<id> --role=admin --email=admin@example.com --password=…',
    'Without --password the password is asked for (hidden) when a terminal is attached;',
    'otherwise one is generated and printed once.',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Email to sign in with', required: true })
  declare email: string

  @flags.boolean({ description: 'An operator: every tenant, system providers, the global queues' })
  declare operator: boolean

  @flags.string({ description: 'Tenant id (not for an operator)' })
  declare tenant?: string

  @flags.string({ description: 'admin, agent or viewer (a tenant user)', default: 'admin' })
  declare role: string

  @flags.string({ description: 'Password (at least 12 characters); asked for when left out' })
  declare password?: string

  @flags.string({ description: 'Full name' })
  declare name?: string

  async run() {
    const { TENANT_ROLES } = await import('#models/user')
    const { newUserValidator } = await import('#validators/people')
    const { CreateUser } = await import('#people/create_user')
    const { operatorActor } = await import('#messaging/audit/audit_actors')

    const role = this.operator ? 'operator' : this.role
    if (role !== 'operator' && !(TENANT_ROLES as readonly string[]).includes(role)) {
      return this.fail(
        `Unknown role "${role}": use --operator, or --role with ${TENANT_ROLES.join(', ')}`
      )
    }
    if (this.operator && this.tenant)
      return this.fail('An operator belongs to no tenant: drop --tenant')
    if (!this.operator && !this.tenant)
      return this.fail('A tenant user needs --tenant=<id> (or use --operator)')
    const tenant = this.tenant ? await findTenant(this, this.tenant) : null
    if (this.tenant && !tenant) return

    const { password, generated } = await this.#password()
    const input = await validated(this, newUserValidator, { email: this.email, password })
    if (!input) return

    const createUser = await this.app.container.make(CreateUser)
    let user
    try {
      user = await createUser.handle(
        {
          email: input.email,
          password: input.password,
          role: role as 'operator' | (typeof TENANT_ROLES)[number],
          tenantId: tenant?.id ?? null,
          fullName: this.name ?? null,
        },
        operatorActor()
      )
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      const problems = error.messages as Array<{ field: string; message: string }>
      return this.fail(problems.map((problem) => `${problem.field}: ${problem.message}`).join('\n'))
    }

    const appUrl = this.app.config.get<string>('app.appUrl')
    this.logger.success(
      `${user.role === 'operator' ? 'Operator' : `Tenant ${user.role}`} ${user.email} created`
    )
    if (generated) {
      this.logger.log(`password: ${password}`)
      this.logger.log(this.colors.dim('Shown once: store it or change it after signing in.'))
    }
    this.logger.log(`Sign in at ${appUrl}/console/login`)
    if (user.isOperator) {
      this.logger.log(
        'On the first sign-in, scan the QR code with an authenticator app: operators need a code each time.'
      )
    }
  }

  /** --password, else typed in (hidden), else generated when no one can type */
  async #password() {
    if (this.password !== undefined) return { password: this.password, generated: false }
    if (process.stdin.isTTY) {
      const typed = await this.prompt.secure('Password (at least 12 characters)')
      return { password: typed, generated: false }
    }
    return { password: randomBytes(18).toString('base64url'), generated: true }
  }

  fail(message: string) {
    this.logger.error(message)
    this.exitCode = 1
  }
}
