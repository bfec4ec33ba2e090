import { asGatewayError, describeCause } from '../api/errors.ts';
import { errorResponse, type Reply } from '../api/reply.ts';

export function responseForThrown(thrown: unknown, log: (entry: Record<string, unknown>) => void, headers: Record<string, string> = {}): Reply {
  const error = asGatewayError(thrown);
  if (error.status >= 500) {
    // The cause stays here: never in the response.
    log({ level: 'error', message: error.message, type: error.type, cause: describeCause(error.cause) });
  }
  return errorResponse(error, headers);
}
