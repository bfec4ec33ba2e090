// Claude refuses a conversation whose tool_use ids repeat ("`tool_use` ids
// must be unique") or hold characters outside [a-zA-Z0-9_-] ("String should
// match pattern"). Conversations begun on other providers carry both: Gemini
// numbers its calls afresh in every response (call_0, then call_0 again),
// and models hosted on Bedrock answer with ids like `functions.get_weather:0`.
// Each call gets an id Claude accepts, unchanged when it already was one, and
// the results that follow it point at it.

const DISALLOWED = /[^a-zA-Z0-9_-]/g;

export interface ToolUseIds {
  /** The id to send for a tool call, in conversation order. */
  forCall(id: string): string;
  /** The id to send for a tool result: that of the latest call with this id. */
  forResult(id: string): string;
}

export function createToolUseIds(): ToolUseIds {
  const used = new Set<string>();
  const latest = new Map<string, string>();
  const clean = (id: string): string => (id === '' ? 'toolu' : id.replace(DISALLOWED, '_'));
  return {
    forCall(id) {
      const base = clean(id);
      let candidate = base;
      for (let repeat = 2; used.has(candidate); repeat++) candidate = `${base}_${repeat}`;
      used.add(candidate);
      latest.set(id, candidate);
      return candidate;
    },
    forResult(id) {
      return latest.get(id) ?? clean(id);
    },
  };
}
