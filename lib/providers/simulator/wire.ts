// What the simulator needs from each wire protocol it speaks: which paths
// are its endpoints, how to read a request, how to write replies and errors.
import type { z } from 'zod';
import { fieldPath } from '../../api/validate.ts';
import type { StreamScript } from './paced-stream.ts';
import type { ReplyPlan } from './reply-plan.ts';
import type { SimulatedRequest } from './simulated-request.ts';

export type SimulatedWireKind = 'openai' | 'anthropic' | 'gemini';

/** The API call a path names. */
export interface WireEndpoint {
  /** Set when the path decides it (Gemini); otherwise the body's `stream` does. */
  stream?: boolean;
  /** Set when the path names the model (Gemini). */
  model?: string;
  /** Set when the path is an endpoint the simulator does not serve in this form: a 400 with this message. */
  unsupported?: string;
}

/** Per-reply values: ids are seeded by `requestKey`, so they repeat from run to run. */
export interface ReplyContext {
  requestKey: string;
  /** Unix seconds. */
  created: number;
}

export type ParsedRequest = { ok: true; request: SimulatedRequest } | { ok: false; message: string };

export interface ErrorDetails {
  /** Replaces the wire's usual message for the status. */
  message?: string;
  retryAfterSeconds?: number;
}

export interface SimulatorWire {
  readonly kind: SimulatedWireKind;
  /** The endpoint `method path` names (path after `/<providerId>`), or undefined when there is none. */
  endpoint(method: string, path: string, search: URLSearchParams): WireEndpoint | undefined;
  /** Whether a path looks like this wire's API: picks the error shape for an unknown provider. */
  claims(path: string): boolean;
  parseRequest(body: unknown, endpoint: WireEndpoint): ParsedRequest;
  /** The wire's own error body for an HTTP error status. */
  errorBody(status: number, context: ReplyContext, details?: ErrorDetails): string;
  /** Request-id headers the real API sets. */
  responseHeaders(context: ReplyContext): Record<string, string>;
  readonly streamContentType: string;
  readonly jsonContentType: string;
  streamScript(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): StreamScript;
  jsonBody(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): string;
  /** The error a 200 stream starts with (`error-event`), as a frame, and as a JSON body for non-streaming replies. */
  errorEvent(context: ReplyContext): { frame: string; body: string };
  /** A content frame whose JSON breaks off (`malformed`). */
  malformedFrame(plan: ReplyPlan, request: SimulatedRequest, context: ReplyContext): string;
}

/** The first issues of a failed parse, each naming its field; never the values (they may be prompt text). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${fieldPath(issue.path)}: ${issue.message}`)
    .join('; ');
}

/** The first half of a JSON text: a proper prefix of a JSON object never parses. */
export function brokenJson(json: string): string {
  return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
}
