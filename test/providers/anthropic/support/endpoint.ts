// A catalog endpoint served by the Anthropic adapter, built through the real catalog code.
import { createCatalog, type Endpoint } from '../../../../lib/catalog/catalog.ts';
import type { SupportedParameter } from '../../../../lib/catalog/schema.ts';

export const ALL_PARAMETERS: SupportedParameter[] = [
  'temperature',
  'top_p',
  'top_k',
  'max_tokens',
  'stop',
  'tools',
  'tool_choice',
  'reasoning',
  'include_reasoning',
  'response_format',
  'structured_outputs',
];

export interface EndpointOptions {
  baseUrl?: string;
  supportedParameters?: SupportedParameter[];
  maxCompletionTokens?: number;
  credential?: string | null;
  headers?: Record<string, string>;
}

export function anthropicEndpoint(options: EndpointOptions = {}): Endpoint {
  const catalog = createCatalog({
    providers: {
      anthropic: {
        name: 'Anthropic',
        kind: 'anthropic',
        baseUrl: options.baseUrl ?? 'http://127.0.0.1:9',
        ...(options.credential === null ? {} : { credential: options.credential ?? 'ANTHROPIC_API_KEY' }),
        ...(options.headers !== undefined ? { headers: options.headers } : {}),
      },
    },
    models: [
      {
        id: 'anthropic/claude-sonnet-4.5',
        name: 'Claude Sonnet 4.5',
        created: 1759161676,
        endpoints: [
          {
            provider: 'anthropic',
            upstreamModel: 'claude-sonnet-4-5-20250929',
            pricing: { prompt: '3', completion: '15' },
            contextLength: 200000,
            maxCompletionTokens: options.maxCompletionTokens ?? 64000,
            supportedParameters: options.supportedParameters ?? ALL_PARAMETERS,
            inputModalities: ['text', 'image', 'file'],
          },
        ],
      },
    ],
  });
  const endpoint = catalog.endpoints[0];
  if (endpoint === undefined) throw new Error('test catalog has no endpoint');
  return endpoint;
}
