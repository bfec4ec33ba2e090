// Step 1: the request's body as JSON, within the size limit. The door then
// turns it into the canonical request (its own schema, errors naming the field).
import { GatewayError, invalidRequest } from '../api/errors.ts';
import type { GatewayRequest } from '../api/reply.ts';

/** 413 past the size limit, 400 when the body is empty or not JSON. */
export async function readJsonBody(request: GatewayRequest, limit: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw payloadTooLarge(limit);
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength > limit) throw payloadTooLarge(limit);
  if (bytes.byteLength === 0) throw invalidRequest('Request body is empty: send a JSON request body');
  return parseJsonBytes(bytes);
}

// Fatal: a default decoder turns bytes that are not UTF-8 into U+FFFD, and
// the prompt the caller meant would go upstream changed, and be billed.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON body's bytes as a value: 400 when they are not UTF-8 (RFC 8259 §8.1) or not JSON. */
export function parseJsonBytes(bytes: ArrayBuffer): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalidRequest('Request body is not valid UTF-8: JSON must be sent as UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest('Request body is not valid JSON');
  }
}

/** Whether the raw body asked for a stream: known even when it fails validation, for the record. */
export function asksForStream(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'stream' in body && body.stream === true;
}

function payloadTooLarge(limit: number): GatewayError {
  return new GatewayError({ status: 413, type: 'payload_too_large', message: `Request body is larger than ${limit} bytes` });
}
