import { defineConfig } from '@adonisjs/static'

/** The console's stylesheet, scripts and icons under public/ (htmx is copied there by bin/setup). */
const staticServerConfig = defineConfig({
  enabled: true,
  etag: true,
  lastModified: true,
  dotFiles: 'ignore',
})

export default staticServerConfig
