import User from '#models/user'

/**
 * The account with this id while it may sign in; null when it is gone or
 * disabled (a sign-in half done when it was disabled goes no further).
 */
export async function findEnabledUser(id: string | number) {
  const user = await User.find(id)
  return user && !user.disabledAt ? user : null
}
