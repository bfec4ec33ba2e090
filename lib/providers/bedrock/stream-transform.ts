// ConverseStream events as canonical stream events: a pure state machine, no I/O.
// Bedrock's order is messageStart, content blocks (text blocks get no
// contentBlockStart, tool use blocks do), messageStop (stopReason), then
// metadata (usage). The one `finish` goes out once both stop reason and usage
// are in, or at the end of the stream when metadata never came.
import { GatewayError } from '../../api/errors.ts';
import type { ReasoningFormat, StreamEvent, Usage } from '../../streaming/events.ts';
import { bedrockError } from './error-mapping.ts';
import { toFinishReason } from './finish-reason.ts';
import type { ContentBlockDelta, ConverseStreamEvent } from './upstream-schemas.ts';
import { toUsage } from './usage.ts';

export interface StreamTransformOptions {
  /** Display name of the provider, for errors. */
  provider: string;
  /** The format reasoning of this model is in (`anthropic-claude-v1` for Claude). */
  reasoningFormat: ReasoningFormat;
  /** Bedrock's request id, reported in the `start` event. */
  upstreamId?: string;
}

type Block =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean }
  | { kind: 'reasoning'; block: number }
  /** Server-side tool use and its results: Bedrock ran them, the caller has nothing to do. */
  | { kind: 'ignored' };

type Phase =
  | { name: 'open'; usage: Usage | undefined }
  | { name: 'stopped'; stopReason: string }
  | { name: 'closed' };

export interface StreamTransform {
  push(event: ConverseStreamEvent): StreamEvent[];
  /** The upstream stream ended: whatever is still owed (a finish, or an error for a cut-off). */
  end(): StreamEvent[];
  /** Whether the finish or error event has been emitted. */
  readonly closed: boolean;
}

export function createStreamTransform(options: StreamTransformOptions): StreamTransform {
  let phase: Phase = { name: 'open', usage: undefined };
  const blocks = new Map<number, Block>();
  let toolCount = 0;
  let reasoningCount = 0;

  const finish = (stopReason: string, usage: Usage | undefined): StreamEvent[] => {
    phase = { name: 'closed' };
    return [{ type: 'finish', reason: toFinishReason(stopReason), nativeReason: stopReason, usage }];
  };
  const fail = (error: GatewayError): StreamEvent[] => {
    phase = { name: 'closed' };
    return [{ type: 'error', error }];
  };

  const reasoningBlock = (index: number): number => {
    const block = blocks.get(index);
    if (block?.kind === 'reasoning') return block.block;
    const created = { kind: 'reasoning', block: reasoningCount++ } as const;
    blocks.set(index, created);
    return created.block;
  };

  const delta = (index: number, content: ContentBlockDelta): StreamEvent[] => {
    const block = blocks.get(index);
    if (block?.kind === 'ignored') return [];
    const out: StreamEvent[] = [];
    if (content.text != null && content.text !== '') {
      if (block === undefined) blocks.set(index, { kind: 'text' });
      out.push({ type: 'text', text: content.text });
    }
    const input = content.toolUse?.input;
    if (input != null && input !== '' && block?.kind === 'tool') {
      block.sentArguments = true;
      out.push({ type: 'tool-call-delta', index: block.toolIndex, arguments: input });
    }
    const reasoning = content.reasoningContent;
    if (reasoning != null) {
      const format = options.reasoningFormat;
      if (reasoning.text != null && reasoning.text !== '') {
        out.push({ type: 'reasoning', text: reasoning.text, format, block: reasoningBlock(index) });
      }
      if (reasoning.signature != null && reasoning.signature !== '') {
        out.push({ type: 'reasoning-signature', signature: reasoning.signature, format, block: reasoningBlock(index) });
      }
      if (reasoning.redactedContent != null && reasoning.redactedContent !== '') {
        out.push({ type: 'reasoning-encrypted', data: reasoning.redactedContent, format, block: reasoningBlock(index) });
      }
    }
    return out;
  };

  return {
    get closed() {
      return phase.name === 'closed';
    },

    push(event) {
      if (phase.name === 'closed') return [];
      switch (event.type) {
        case 'messageStart':
          return [options.upstreamId === undefined ? { type: 'start' } : { type: 'start', upstreamId: options.upstreamId }];
        case 'contentBlockStart': {
          if (event.toolUse === undefined || event.toolUse.serverSide) {
            blocks.set(event.index, { kind: 'ignored' });
            return [];
          }
          const toolIndex = toolCount++;
          blocks.set(event.index, { kind: 'tool', toolIndex, sentArguments: false });
          return [{ type: 'tool-call-start', index: toolIndex, id: event.toolUse.id, name: event.toolUse.name }];
        }
        case 'contentBlockDelta':
          return delta(event.index, event.delta);
        case 'contentBlockStop': {
          const block = blocks.get(event.index);
          // A tool called without arguments gets no input delta; OpenAI clients expect "{}".
          if (block?.kind === 'tool' && !block.sentArguments) {
            block.sentArguments = true;
            return [{ type: 'tool-call-delta', index: block.toolIndex, arguments: '{}' }];
          }
          return [];
        }
        case 'messageStop':
          if (phase.name !== 'open') return [];
          if (phase.usage !== undefined) return finish(event.stopReason, phase.usage);
          phase = { name: 'stopped', stopReason: event.stopReason };
          return [];
        case 'metadata': {
          const usage = event.usage === undefined ? undefined : toUsage(event.usage);
          if (phase.name === 'stopped') return finish(phase.stopReason, usage);
          phase = { name: 'open', usage };
          return [];
        }
        case 'exception':
          return fail(bedrockError({ errorType: event.name, message: event.message, provider: options.provider }));
        case 'malformed':
          return fail(
            new GatewayError({
              status: 502,
              type: 'provider_unavailable',
              message: `Provider sent a malformed ${event.name} event`,
              retryable: true,
              provider: options.provider,
            }),
          );
        case 'unknown':
          return [];
        default:
          return assertNever(event);
      }
    },

    end() {
      switch (phase.name) {
        case 'closed':
          return [];
        case 'stopped':
          return finish(phase.stopReason, undefined);
        case 'open':
          return fail(
            new GatewayError({
              status: 502,
              type: 'provider_unavailable',
              message: 'Provider stream ended before the response finished',
              retryable: true,
              provider: options.provider,
            }),
          );
      }
    },
  };
}

/** Feed a whole recorded stream through a fresh transform. */
export function transformStream(events: Iterable<ConverseStreamEvent>, options: StreamTransformOptions): StreamEvent[] {
  const transform = createStreamTransform(options);
  const out: StreamEvent[] = [];
  for (const event of events) out.push(...transform.push(event));
  out.push(...transform.end());
  return out;
}

function assertNever(value: never): never {
  throw new Error(`Unhandled stream event ${JSON.stringify(value)}`);
}
