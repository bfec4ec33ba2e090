// A failure before the stream began, in the Responses API's error envelope
// as OpenRouter sends it: `{"error":{"code","message"},"metadata":…}` with
// one of the few OpenAI codes, plus OpenAI's `type` and `param` (the field a
// 400 is about), which the OpenAI SDK reads onto its APIError. The HTTP
// status and headers (Retry-After, X-RateLimit-*) are the chat door's.
// https://openrouter.ai/docs/api/reference/responses/error-handling
import type { GatewayError } from '../../api/errors.ts';
import { errorResponse, type Reply } from '../../api/reply.ts';
import { responsesErrorCode } from './response-object.ts';

export function responsesErrorReply(error: GatewayError, headers: Record<string, string>): Reply {
  return { ...errorResponse(error, headers), body: JSON.stringify(responsesErrorBody(error)) };
}

export function responsesErrorBody(error: GatewayError): Record<string, unknown> {
  const { metadata } = error.toWire();
  const field = metadata.field;
  return {
    error: {
      code: responsesErrorCode(error),
      message: error.publicMessage,
      type: error.status >= 500 ? 'server_error' : 'invalid_request_error',
      param: typeof field === 'string' ? field : null,
    },
    metadata,
    error_type: error.type,
  };
}
