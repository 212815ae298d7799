/**
 * How agent IDs are compared. The platform links an agent by e-mail address, username or
 * external user ID; exports differ in letter case, Unicode form and stray spaces ("Ana@X.com "
 * from the telephony, "ana@x.com" in the platform's user export), which are the same person.
 */

/** The form two agent IDs are compared in: trimmed, NFC, lower case. */
export function agentKey(id: string): string {
  return id.trim().normalize('NFC').toLowerCase()
}

/**
 * Where the user mappings are created: said by `check`, the agents commands and Review.
 * From the platform's own guide: "Third-party user mappings must be created for all agents
 * before importing contacts"; a user is matched by e-mail, username or external system user ID.
 */
export const WHERE_TO_MAP_AGENTS =
  'Before sending, make sure each of these agents is a user in evaluagent whose Email Address, Username or External System User ID equals the Agent ID in the CSV (the third-party user mapping of the bulk upload integration): the platform cannot import conversations of agents it has no mapping for.'
