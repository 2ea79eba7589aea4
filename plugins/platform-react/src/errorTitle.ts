import { ResponseError } from '@backstage/errors';

/**
 * The message worth showing as an error panel's title: for a failed backend request
 * that is the backend's own message with its status (e.g. which config key to fix, or
 * the Kafka error), not "Request failed with 503"; any other error's own message.
 *
 * @example
 * <ResponseErrorPanel error={error} title={errorTitle(error)} />
 */
export function errorTitle(error: Error): string {
  if (ResponseError.is(error) && error.cause?.message) {
    return `${error.statusCode}: ${error.cause.message}`;
  }
  return error.message;
}
