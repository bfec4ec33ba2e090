// Gemini thought signatures, round-tripped. Gemini puts an opaque
// `thoughtSignature` on a response part (a function call, or the first answer
// text); the next turn must carry it back on the same part, or Gemini 3
// refuses the request. Clients echo them to us as assistant
// `reasoning_details` of format `google-gemini-v1`: a signature that names a
// tool call id goes on that call; the others go, in order, on the function
// calls without one, then on the text.
// https://ai.google.dev/gemini-api/docs/thought-signatures
import type { ReasoningDetailInput } from '../../api/chat-request.ts';
import type { GeminiPart } from './request-types.ts';

export const geminiReasoningFormat = 'google-gemini-v1';

interface Signature {
  value: string;
  /** The tool call the signature belongs to, when the detail said so. */
  toolCallId: string | undefined;
}

function signaturesOf(details: readonly ReasoningDetailInput[] | undefined): Signature[] {
  const out: Signature[] = [];
  for (const detail of details ?? []) {
    if (detail.format !== geminiReasoningFormat) continue;
    const value = detail.signature ?? (detail.type === 'reasoning.encrypted' ? detail.data : undefined);
    if (typeof value === 'string' && value !== '') out.push({ value, toolCallId: detail.id ?? undefined });
  }
  return out;
}

/**
 * Put the message's signatures on its parts. `toolCallIds[i]` is the id of
 * the tool call behind `parts[i]` when that part is a function call.
 */
export function attachSignatures(
  parts: GeminiPart[],
  toolCallIds: readonly (string | undefined)[],
  details: readonly ReasoningDetailInput[] | undefined,
): void {
  const signatures = signaturesOf(details);
  if (signatures.length === 0) return;
  const unplaced: string[] = [];
  for (const signature of signatures) {
    const index = signature.toolCallId === undefined ? -1 : toolCallIds.indexOf(signature.toolCallId);
    const part = index >= 0 ? parts[index] : undefined;
    if (part !== undefined && part.thoughtSignature === undefined) part.thoughtSignature = signature.value;
    else unplaced.push(signature.value);
  }
  const calls = parts.filter((part) => 'functionCall' in part);
  const texts = parts.filter((part) => 'text' in part);
  for (const part of [...calls, ...texts]) {
    if (unplaced.length === 0) return;
    if (part.thoughtSignature === undefined) part.thoughtSignature = unplaced.shift();
  }
}
