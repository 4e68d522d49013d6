import vine from '@vinejs/vine'
import { CHANNELS } from '#enums/channel'

/** A BCP 47 language tag: en, pt-BR, zh-Hant-TW */
export const templateLocale = () =>
  vine
    .string()
    .trim()
    .maxLength(35)
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/)

/** A top-level Liquid variable, as `{{ name }}` reads it */
const VARIABLE_NAME = /^[A-Za-z_][\w-]*$/

/** What each version of a template holds; the parts are Liquid sources. */
const templateContent = {
  subject: vine.string().trim().minLength(1).maxLength(998).optional(),
  html: vine.string().minLength(1).maxLength(2_000_000).optional(),
  text: vine.string().minLength(1).maxLength(100_000).optional(),
  requiredVariables: vine
    .array(vine.string().maxLength(100).regex(VARIABLE_NAME))
    .maxLength(100)
    .distinct()
    .optional(),
}

export const createTemplateValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(200),
    channel: vine.enum(CHANNELS),
    locale: templateLocale().optional(),
    ...templateContent,
  })
)

/** A new version replaces all of the content; name, channel and locale stay. */
export const updateTemplateValidator = vine.compile(vine.object(templateContent))

export const previewTemplateValidator = vine.compile(
  vine.object({
    variables: vine.record(vine.any()).optional(),
  })
)

export const listTemplatesValidator = vine.compile(
  vine.object({
    channel: vine.enum(CHANNELS).optional(),
    name: vine.string().trim().maxLength(200).optional(),
    locale: templateLocale().optional(),
    page: vine.number().withoutDecimals().min(1).optional(),
    perPage: vine.number().withoutDecimals().range([1, 100]).optional(),
  })
)
