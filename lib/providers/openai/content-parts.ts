// `content` as some hosts send it: a string, or an array of parts. Mistral's
// reasoning models (Magistral) stream and answer
// `[{"type":"thinking","thinking":[{"type":"text","text":"…"}]},{"type":"text","text":"…"}]`:
// the thinking parts are reasoning, the text parts content. Parts of other
// types carry nothing the canonical events hold.
// https://docs.mistral.ai/capabilities/reasoning
import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string().nullish() }).loose();
const thinkingPart = z
  .object({ type: z.literal('thinking'), thinking: z.union([z.string(), z.array(z.object({ text: z.string().nullish() }).loose())]).nullish() })
  .loose();
const otherPart = z.object({ type: z.string().nullish() }).loose();

export const contentPart = z.union([textPart, thinkingPart, otherPart]);
export const messageContent = z.union([z.string(), z.array(contentPart)]);
export type MessageContent = z.infer<typeof messageContent>;

/** The reasoning and the text of a message's (or a delta's) content, each '' when absent. */
export function splitContent(content: MessageContent | null | undefined): { reasoning: string; text: string } {
  if (content == null) return { reasoning: '', text: '' };
  if (typeof content === 'string') return { reasoning: '', text: content };
  let reasoning = '';
  let text = '';
  for (const part of content) {
    if (part.type === 'text' && 'text' in part && typeof part.text === 'string') text += part.text;
    else if (part.type === 'thinking' && 'thinking' in part) reasoning += thinkingText(part.thinking);
  }
  return { reasoning, text };
}

function thinkingText(thinking: unknown): string {
  if (typeof thinking === 'string') return thinking;
  if (!Array.isArray(thinking)) return '';
  return thinking.map((part: { text?: string | null }) => part.text ?? '').join('');
}
