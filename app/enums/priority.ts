/**
 * P0 emergency, P1 alerts, P2 newsletters, P3 campaigns, P4 transactional.
 * Each has its own queue and its own worker process.
 */
export enum Priority {
  P0 = 'P0',
  P1 = 'P1',
  P2 = 'P2',
  P3 = 'P3',
  P4 = 'P4',
}

export const PRIORITIES = Object.values(Priority)

/** The bulk lanes (newsletters, campaigns): they yield to the others for domain budget and CPU */
export const BULK_PRIORITIES: Priority[] = [Priority.P2, Priority.P3]
