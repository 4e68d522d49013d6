/**
 * The console's own mail (message types `console.*`, such as
 * `console.password_reset`) carries a live single-use link into someone's
 * account. Its content is only for the recipient's inbox: the console's
 * message page, the API and the log gateway leave it out, so an operator,
 * a key of the console's tenant or a log reader cannot use the link.
 */
export function carriesConsoleSecret(messageType: string) {
  return messageType.startsWith('console.')
}
