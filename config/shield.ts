import { defineConfig } from '@adonisjs/shield'

/**
 * Console pages only (the API and provider webhooks do not run the shield middleware).
 * The CSP allows our own scripts and styles and nothing inline: a message's HTML is shown
 * in a sandboxed iframe, where it inherits this policy and so runs no script and loads no
 * remote image.
 */
const shieldConfig = defineConfig({
  csp: {
    enabled: true,
    directives: {
      defaultSrc: [`'self'`],
      scriptSrc: [`'self'`],
      styleSrc: [`'self'`, `'unsafe-inline'`],
      imgSrc: [`'self'`, 'data:'],
      frameSrc: [`'self'`],
      frameAncestors: [`'self'`],
      formAction: [`'self'`],
      objectSrc: [`'none'`],
    },
    reportOnly: false,
  },
  csrf: {
    enabled: true,
    exceptRoutes: [],
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: {
    enabled: true,
    action: 'SAMEORIGIN',
  },
  hsts: {
    enabled: true,
    maxAge: '180 days',
  },
  contentTypeSniffing: {
    enabled: true,
  },
})

export default shieldConfig
