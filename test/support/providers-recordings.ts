// Recorded provider traffic for the providers end-to-end tests: the
// repository's own fixtures always, and ../shared/fixtures (real recordings,
// read in place, never copied) when that directory exists beside the
// repository. Expected values are read straight off a recording, without
// the adapter under test.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const sharedFixtures = path.resolve(repoRoot, '../shared/fixtures');
const ownFixtures = path.join(repoRoot, 'test/fixtures');

export interface RecordingSet<Name extends string> {
  /** Where the files come from: `shared` (real recordings) or `repository` (hand-written, same cases). */
  source: 'shared' | 'repository';
  files: Record<Name, string>;
}

/**
 * One set per fixture corpus holding every named file: the shared corpus
 * only when it is present, so a missing ../shared means fewer cases, never
 * a failure.
 */
export function recordingSets<Name extends string>(
  provider: string,
  names: { shared: Record<Name, string>; repository: Record<Name, string> },
): RecordingSet<Name>[] {
  const sets: RecordingSet<Name>[] = [];
  for (const source of ['shared', 'repository'] as const) {
    const directory = path.join(source === 'shared' ? sharedFixtures : ownFixtures, provider);
    const files = Object.fromEntries(Object.entries<string>(names[source]).map(([key, name]) => [key, path.join(directory, name)])) as Record<Name, string>;
    if (Object.values<string>(files).every((file) => existsSync(file))) sets.push({ source, files });
  }
  return sets;
}

// Anthropic stream payloads, leniently: only what the expectations need.
const anthropicUsage = z
  .object({
    input_tokens: z.number().nullish(),
    output_tokens: z.number().nullish(),
    cache_creation_input_tokens: z.number().nullish(),
    cache_read_input_tokens: z.number().nullish(),
  })
  .loose();
const anthropicEvent = z
  .object({
    type: z.string(),
    message: z.object({ usage: anthropicUsage.nullish() }).loose().nullish(),
    delta: z
      .object({
        type: z.string().nullish(),
        thinking: z.string().nullish(),
        signature: z.string().nullish(),
        text: z.string().nullish(),
        stop_reason: z.string().nullish(),
      })
      .loose()
      .nullish(),
    usage: anthropicUsage.nullish(),
  })
  .loose();

export interface AnthropicThinkingRecording {
  thinking: string;
  signature: string;
  text: string;
  stopReason: string;
  /** All input tokens, cache reads and writes included, as the gateway reports them. */
  promptTokens: number;
  completionTokens: number;
}

/** What a recorded Anthropic stream with one thinking block and one text block says. */
export function readAnthropicThinking(file: string): AnthropicThinkingRecording {
  const recording: AnthropicThinkingRecording = { thinking: '', signature: '', text: '', stopReason: '', promptTokens: 0, completionTokens: 0 };
  let input = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const event = anthropicEvent.parse(JSON.parse(line.slice('data:'.length)));
    const usage = event.usage ?? event.message?.usage;
    if (usage != null) {
      // message_delta carries cumulative counts; message_start the first ones.
      input = {
        input_tokens: usage.input_tokens ?? input.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? input.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? input.cache_read_input_tokens,
      };
      recording.completionTokens = usage.output_tokens ?? recording.completionTokens;
    }
    recording.thinking += event.delta?.thinking ?? '';
    recording.signature += event.delta?.signature ?? '';
    if (event.delta?.type === 'text_delta') recording.text += event.delta.text ?? '';
    recording.stopReason = event.delta?.stop_reason ?? recording.stopReason;
  }
  recording.promptTokens = input.input_tokens + input.cache_creation_input_tokens + input.cache_read_input_tokens;
  return recording;
}
