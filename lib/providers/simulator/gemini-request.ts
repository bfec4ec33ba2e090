// Reads a Gemini generateContent request (the model comes from the path).
import { z } from 'zod';
import type { LastTurn, SimulatedRequest, SimulatedToolChoice } from './simulated-request.ts';
import { describeIssues, type ParsedRequest, type WireEndpoint } from './wire.ts';

const part = z
  .object({
    text: z.string().nullish(),
    functionCall: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()).nullish() }).loose().nullish(),
    functionResponse: z.object({ name: z.string(), response: z.unknown() }).loose().nullish(),
  })
  .loose();
const content = z.object({ role: z.string().nullish(), parts: z.array(part) }).loose();
const functionDeclaration = z
  .object({
    name: z.string().min(1),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    parametersJsonSchema: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();
const generateContentRequest = z
  .object({
    contents: z.array(content).min(1),
    systemInstruction: z.object({ parts: z.array(part) }).loose().nullish(),
    tools: z.array(z.object({ functionDeclarations: z.array(functionDeclaration).nullish() }).loose()).nullish(),
    toolConfig: z
      .object({
        functionCallingConfig: z
          .object({
            mode: z.enum(['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED']).nullish(),
            allowedFunctionNames: z.array(z.string()).nullish(),
          })
          .loose()
          .nullish(),
      })
      .loose()
      .nullish(),
    generationConfig: z
      .object({
        maxOutputTokens: z.number().int().positive().nullish(),
        responseMimeType: z.string().nullish(),
        responseJsonSchema: z.unknown().optional(),
        responseSchema: z.unknown().optional(),
      })
      .loose()
      .nullish(),
  })
  .loose();
type GenerateContentRequest = z.infer<typeof generateContentRequest>;

export function parseGeminiRequest(body: unknown, endpoint: WireEndpoint): ParsedRequest {
  const parsed = generateContentRequest.safeParse(body);
  if (!parsed.success) return { ok: false, message: describeIssues(parsed.error) };
  const request = parsed.data;
  const tools = (request.tools ?? []).flatMap((tool) =>
    (tool.functionDeclarations ?? []).map((declaration) => ({
      name: declaration.name,
      parameters: declaration.parametersJsonSchema ?? declaration.parameters,
    })),
  );
  const choice = readToolChoice(request);
  if (choice.type === 'tool' && !tools.some((entry) => entry.name === choice.name)) {
    return { ok: false, message: `toolConfig.functionCallingConfig.allowedFunctionNames: "${choice.name}" is not declared` };
  }
  const simulated: SimulatedRequest = {
    model: endpoint.model ?? 'unknown',
    stream: endpoint.stream === true,
    maxTokens: request.generationConfig?.maxOutputTokens ?? undefined,
    texts: [...(request.systemInstruction?.parts ?? []), ...request.contents.flatMap((entry) => entry.parts)].flatMap(partTexts),
    tools,
    toolChoice: choice,
    lastTurn: lastTurn(request.contents.at(-1)),
    includeUsage: true,
  };
  const config = request.generationConfig;
  if (config?.responseMimeType === 'application/json') {
    const schema = config.responseJsonSchema ?? config.responseSchema;
    simulated.responseFormat = schema === undefined ? { type: 'json-object' } : { type: 'json-schema', schema };
  }
  return { ok: true, request: simulated };
}

function readToolChoice(request: GenerateContentRequest): SimulatedToolChoice {
  const config = request.toolConfig?.functionCallingConfig;
  switch (config?.mode) {
    case 'NONE':
      return { type: 'none' };
    case 'ANY': {
      const allowed = config.allowedFunctionNames?.[0];
      return allowed === undefined ? { type: 'required' } : { type: 'tool', name: allowed };
    }
    default:
      return { type: 'auto' };
  }
}

function partTexts(entry: z.infer<typeof part>): string[] {
  const texts: string[] = [];
  if (typeof entry.text === 'string') texts.push(entry.text);
  if (entry.functionCall) texts.push(entry.functionCall.name, JSON.stringify(entry.functionCall.args ?? {}));
  if (entry.functionResponse) texts.push(JSON.stringify(entry.functionResponse.response ?? null));
  return texts;
}

function lastTurn(entry: z.infer<typeof content> | undefined): LastTurn {
  if (entry === undefined) return 'other';
  if (entry.parts.some((candidate) => candidate.functionResponse)) return 'tool-result';
  return entry.role === 'model' ? 'other' : 'user';
}
