import { ModelEndpointError } from '../model/openai';

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'refused the connection',
  ECONNRESET: 'closed the connection',
  ENOTFOUND: 'has a host name that does not resolve',
  EAI_AGAIN: 'has a host name that does not resolve',
  ETIMEDOUT: 'did not answer in time',
  EHOSTUNREACH: 'could not be reached',
  ENETUNREACH: 'could not be reached',
  EPIPE: 'closed the connection',
  ENOENT: 'has no socket to connect to',
};

const POSTGRES: Record<string, string> = {
  '28P01': 'refused the user name or password',
  '28000': 'refused the connection (pg_hba.conf)',
  '3D000': 'has no such database',
  '42501': 'refused a statement for lack of privileges',
  '53300': 'has too many connections',
  '57P01': 'is shutting down',
  '57P03': 'is starting up or shutting down',
};

/**
 * What went wrong, as a phrase safe to show a user ("refused the connection
 * (ECONNREFUSED)"): never a URL, host, query, credentials or stack. The full error
 * goes to the log.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof ModelEndpointError) return error.summary;
  const withCode = error as { code?: unknown; cause?: { code?: unknown } };
  const code = withCode?.code ?? withCode?.cause?.code;
  if (typeof code === 'string') {
    if (NETWORK[code]) return `${NETWORK[code]} (${code})`;
    if (POSTGRES[code]) return `${POSTGRES[code]} (SQLSTATE ${code})`;
  }
  const name = (error as { name?: unknown })?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return 'timed out';
  return 'failed unexpectedly';
}
