import vine, { SimpleMessagesProvider } from '@vinejs/vine'
import { TENANT_ROLES } from '#models/user'

/** Long enough to resist guessing; no composition rules (they make passwords worse, not better) */
export const MIN_PASSWORD_LENGTH = 12

const email = () => vine.string().trim().toLowerCase().maxLength(254).email()
/** A password as typed: never trimmed */
const givenPassword = () => vine.string().minLength(1).maxLength(1024)
const newPassword = () => vine.string().minLength(MIN_PASSWORD_LENGTH).maxLength(1024).confirmed()

const messages = new SimpleMessagesProvider(
  {
    'required': 'Fill in this field',
    'email': 'Enter an email address like name@example.com',
    'password.minLength': `Use at least ${MIN_PASSWORD_LENGTH} characters`,
    'password.confirmed': 'The two passwords do not match',
    'code.regex': 'Enter the 6 digits your authenticator app shows',
    'enum': 'Pick one of the choices',
    'maxLength': 'This is too long',
  },
  { currentPassword: 'current password', fullName: 'name', tenantId: 'tenant' }
)

/** The sign-in form (any string is checked the same way, so a typo cannot tell an account exists) */
export const signInValidator = vine.compile(
  vine.object({ email: vine.string().trim().maxLength(254), password: givenPassword() })
)
signInValidator.messagesProvider = messages

export const twoFactorCodeValidator = vine.compile(
  vine.object({
    // Apps show the code as "123 456"
    code: vine
      .string()
      .trim()
      .regex(/^\d{3} ?\d{3}$/)
      .transform((value) => value.replace(' ', '')),
  })
)
twoFactorCodeValidator.messagesProvider = messages

export const forgotPasswordValidator = vine.compile(vine.object({ email: email() }))
forgotPasswordValidator.messagesProvider = messages

export const resetPasswordValidator = vine.compile(vine.object({ password: newPassword() }))
resetPasswordValidator.messagesProvider = messages

export const acceptInviteValidator = vine.compile(
  vine.object({
    fullName: vine.string().trim().minLength(1).maxLength(200),
    password: newPassword(),
  })
)
acceptInviteValidator.messagesProvider = messages

export const changePasswordValidator = vine.compile(
  vine.object({ currentPassword: givenPassword(), password: newPassword() })
)
changePasswordValidator.messagesProvider = messages

/** Turning two-factor off asks for the password, as a change of password does */
export const currentPasswordValidator = vine.compile(
  vine.object({ currentPassword: givenPassword() })
)
currentPasswordValidator.messagesProvider = messages

export const inviteValidator = vine.compile(
  vine.object({
    email: email(),
    role: vine.enum(TENANT_ROLES),
    /** An operator's choice of tenant, when the switcher names none */
    tenantId: vine.string().uuid().optional(),
  })
)
inviteValidator.messagesProvider = messages

export const roleValidator = vine.compile(vine.object({ role: vine.enum(TENANT_ROLES) }))
roleValidator.messagesProvider = messages

/** `users:create` */
export const newUserValidator = vine.compile(
  vine.object({
    email: email(),
    password: vine.string().minLength(MIN_PASSWORD_LENGTH).maxLength(1024),
  })
)
newUserValidator.messagesProvider = messages
