import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { Secret } from '@adonisjs/core/helpers'
import { defineConfig } from '@adonisjs/core/http'

/**
 * The app key signs and encrypts framework values (cookies, signed URLs).
 */
export const appKey = new Secret(env.get('APP_KEY'))

/**
 * Public base URL of this service: callback URLs given to providers and the
 * URL Twilio signs are built from it.
 */
export const appUrl = env.get('APP_URL').replace(/\/+$/, '')

export const http = defineConfig({
  generateRequestId: true,
  // HTML forms in the console send PUT and DELETE as POST ?_method=…
  allowMethodSpoofing: true,
  useAsyncLocalStorage: false,
  /**
   * Behind a proxy, trust it for the client IP used in logs
   */
  trustProxy: () => true,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
