import { DateTime } from 'luxon'
import type { TenantListing } from '#messaging/tenants/tenant_directory'
import { CONSOLE_MAIL_TENANT_ID } from '#people/console_mail'
import type { ListUsers } from '#people/list_users'
import { shownTime } from '#controllers/console/shown_time'

type TenantPeople = Awaited<ReturnType<ListUsers['handle']>>

/**
 * A tenant as the Tenants pages show it: its times in UTC like the message
 * pages, and whether it is the console's own mail tenant (created on the
 * first password reset, which operators would otherwise not recognise).
 */
export function tenantRow(listing: TenantListing) {
  return {
    ...listing,
    created: shownTime(listing.tenant.createdAt)!,
    consoleMail: listing.tenant.id === CONSOLE_MAIL_TENANT_ID,
  }
}

/** A tenant's page: the row's facts, since when it is suspended, its people and invites with their times */
export function tenantPage(listing: TenantListing, { users, invites }: TenantPeople) {
  return {
    ...tenantRow(listing),
    suspended: shownTime(listing.tenant.suspendedAt),
    users: users.map((person) => ({ ...person, lastSignIn: shownTime(person.lastSignInAt) })),
    invites: invites.map((invite) => ({
      ...invite,
      expires: invite.expiresAt ? shownTime(DateTime.fromISO(invite.expiresAt)) : null,
    })),
  }
}
