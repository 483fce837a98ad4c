/** The `error` code of a failed Slack Web API call (`not_in_channel`, …), read off the client's error. */
export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
