import { CustomErrorBase } from '@backstage/errors';

/** An API server's answer other than 2xx, or a failure to reach it. */
export class KubeRequestError extends CustomErrorBase {
  constructor(message: string, readonly statusCode?: number) {
    super(message);
    this.name = 'KubeRequestError';
  }
}

/**
 * The portal could not produce credentials for a cluster (an unreadable token file, no AWS
 * identity). Its message says what to fix; it never carries the cluster's URL.
 */
export class KubeCredentialsError extends KubeRequestError {
  constructor(message: string) {
    super(message);
    this.name = 'KubeCredentialsError';
  }
}

/**
 * A message for users: API server addresses replaced, so that cluster URLs stay in the
 * backend's log (where the caller logs them with the cluster's name).
 */
export function withoutUrls(message: string): string {
  return message
    .replace(/\b(?:https?|wss?):\/\/[^\s,;'")]+/g, 'the API server')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, 'the API server');
}
