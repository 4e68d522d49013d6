import vine from '@vinejs/vine'

/** A short required text: a sender, a name, an id */
export const text = () => vine.string().trim().minLength(1).maxLength(255)

/** A credential: kept sealed, shown only as a mask */
export const secret = () => vine.string().trim().minLength(1).maxLength(8192)

/** Fake servers and self-hosted Postal live on plain http and bare hosts too */
export const httpUrl = () =>
  vine
    .string()
    .trim()
    .maxLength(2048)
    .url({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
