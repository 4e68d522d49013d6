import app from '@adonisjs/core/services/app'

/**
 * The links the console hands out (in a reset email, on the inviter's
 * screen): APP_URL, then the console's page for the token. The paths are
 * those of start/console_routes.ts (console.password.reset, console.invites.show).
 */
export class ConsoleLinks {
  constructor(private appUrl: string = app.config.get<string>('app.appUrl')) {}

  passwordReset(token: string) {
    return `${this.appUrl}/console/password/reset/${token}`
  }

  invite(token: string) {
    return `${this.appUrl}/console/invites/${token}`
  }
}
