import { ResponseError } from '@backstage/errors';

/** The backend's own message (which key to set, what the API server said), not "Request failed". */
export function errorTitle(error: Error): string {
  if (ResponseError.is(error) && error.cause?.message) {
    return `${error.statusCode}: ${error.cause.message}`;
  }
  return error.message;
}
