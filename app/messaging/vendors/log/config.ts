import vine from '@vinejs/vine'

/** The log gateway needs no settings: its `config` is empty. */
export const logConfigSchema = vine.object({})
