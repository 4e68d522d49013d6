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

/**
 * How the console's provider form asks for one `config` field. A field the
 * vendor names as a secret (`secret`, `otherSecrets`) is never shown back:
 * the form leaves it empty, and an empty one keeps the stored value.
 */
export interface ConfigField {
  /** Its key in `config` */
  name: string
  label: string
  /** The value's shape: a line of text, a URL, or a JSON object typed as text (a key file) */
  input: 'text' | 'url' | 'json'
  required?: boolean
  hint?: string
  placeholder?: string
}
