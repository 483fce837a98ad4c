/** The name certificates are filed under when one account is configured from the environment. */
export const DEFAULT_ACCOUNT = 'default';
