import vine, { SimpleMessagesProvider } from '@vinejs/vine'

const messages = new SimpleMessagesProvider(
  {
    'required': 'Fill in this field',
    'email': 'Enter an email address like name@example.com',
    'maxLength': 'This is too long',
    'database.unique':
      'This email already has an account: invite someone else, or add them from Users',
  },
  { name: 'tenant name', email: "admin's email" }
)

/**
 * The console's new tenant: its name and its first admin's email. An email
 * that already has an account is refused here, before the tenant is made,
 * so a refused invite never leaves a tenant without its admin.
 */
export const newTenantValidator = vine.compile(
  vine.object({
    name: vine.string().trim().minLength(1).maxLength(200),
    email: vine
      .string()
      .trim()
      .toLowerCase()
      .maxLength(254)
      .email()
      .unique({ table: 'users', column: 'email' }),
  })
)
newTenantValidator.messagesProvider = messages

export const suspendTenantValidator = vine.compile(
  vine.object({ reason: vine.string().trim().maxLength(500).optional() })
)
suspendTenantValidator.messagesProvider = messages
