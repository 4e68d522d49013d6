import { SimpleMessagesProvider, errors } from '@vinejs/vine'
import type { ConfigField } from '#messaging/vendors/contract/config_fields'
import type { Vendor } from '#messaging/vendors/contract/vendor'
import { secretFieldsOf } from '#messaging/accounts/provider_types'

/** The config inputs a provider form posts (see validators/provider_form.ts) */
export interface ConfigInputs {
  config?: Record<string, string>
  secrets?: Record<string, string>
}

/** One config field as the form shows it */
export interface FormField extends ConfigField {
  secret: boolean
  /** The input's name: `config[…]`, or `secrets[…]` for a credential */
  inputName: string
  /** Where its validation errors and its flashed value are: `config.<name>` */
  key: string
  /** The stored value to start from (empty for a secret, which is never shown) */
  value: string
  /** A stored secret's mask (`…a1b2`), to say which one is kept */
  mask: string | null
}

/**
 * The vendor's config fields as its form shows them, from the provider's
 * visible config (its secrets already masked) when it is being edited.
 */
export function formFieldsOf(vendor: Vendor, stored: Record<string, unknown> = {}): FormField[] {
  const secrets = new Set(secretFieldsOf(vendor))
  return vendor.configFields.map((field) => {
    const secret = secrets.has(field.name)
    const value = stored[field.name]
    return {
      ...field,
      secret,
      inputName: `${secret ? 'secrets' : 'config'}[${field.name}]`,
      key: `config.${field.name}`,
      value: secret || value === undefined ? '' : shown(value),
      mask: secret && typeof value === 'string' ? value : null,
    }
  })
}

/** Validation messages that name each field by its label in the form */
export function formMessagesOf(vendor: Vendor) {
  const labels = vendor.configFields.map((field) => [field.name, field.label])
  return new SimpleMessagesProvider(
    {},
    { name: 'Name', channel: 'Channel', ...Object.fromEntries(labels) }
  )
}

/** A new provider's config: the fields filled in. */
export function newConfigFromForm(vendor: Vendor, inputs: ConfigInputs) {
  const config: Record<string, unknown> = {}
  for (const [name, value] of formValues(vendor, inputs)) {
    if (value !== undefined) config[name] = value
  }
  return config
}

/**
 * The config changes of an edit, merged over the stored config: a filled
 * field replaces its value, an emptied one removes it (null), and an empty
 * secret keeps the stored one (the form never shows it).
 */
export function configChangesFromForm(vendor: Vendor, inputs: ConfigInputs) {
  const secrets = new Set(secretFieldsOf(vendor))
  const changes: Record<string, unknown> = {}
  for (const [name, value] of formValues(vendor, inputs)) {
    if (value !== undefined) changes[name] = value
    else if (!secrets.has(name)) changes[name] = null
  }
  return changes
}

/**
 * Each vendor field's input: as typed, a JSON field parsed, undefined when
 * left blank. Inputs the vendor does not have are ignored.
 */
function formValues(vendor: Vendor, inputs: ConfigInputs) {
  const secrets = new Set(secretFieldsOf(vendor))
  const values = new Map<string, unknown>()
  const unreadable = []
  for (const field of vendor.configFields) {
    const typed = (secrets.has(field.name) ? inputs.secrets : inputs.config)?.[field.name]
    if (typed === undefined || typed.trim() === '') {
      values.set(field.name, undefined)
    } else if (field.input !== 'json') {
      values.set(field.name, typed)
    } else {
      try {
        values.set(field.name, JSON.parse(typed))
      } catch {
        unreadable.push({
          field: `config.${field.name}`,
          rule: 'json',
          message: `The ${field.label} must be JSON: paste the whole file`,
        })
      }
    }
  }
  if (unreadable.length > 0) throw new errors.E_VALIDATION_ERROR(unreadable)
  return values
}

function shown(value: unknown) {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2)
}
