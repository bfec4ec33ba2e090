// `npm start`: the gateway on http://localhost:8787 with everything it needs
// embedded. Ctrl-C stops it; a restart keeps keys and balances.
import path from 'node:path';
import { startLocalGateway } from './local-gateway.ts';

const env = process.env;
const port = Number(env.PORT ?? '8787');
const dataDir = path.resolve(env.SWITCHYARD_DATA_DIR ?? '.data');

const gateway = await startLocalGateway({ port, dataDir, env });

const enabled = [...gateway.catalog.providers.values()]
  .filter((provider) => provider.simulator !== undefined || (provider.credential !== undefined && (env[provider.credential] ?? '') !== ''))
  .map((provider) => provider.name);

console.log(`
Switchyard is running at ${gateway.url}

  API key:         ${gateway.keys.apiKey}
  Management key:  ${gateway.keys.managementKey}
  Data folder:     ${dataDir}
  Providers:       ${enabled.join(', ')}
                   (set OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, … to enable real ones)

Try it with the OpenAI SDK:

  import OpenAI from 'openai';
  const client = new OpenAI({ baseURL: '${gateway.baseUrl}', apiKey: '${gateway.keys.apiKey}' });
  const stream = await client.chat.completions.create({
    model: 'simulator/fast',
    messages: [{ role: 'user', content: 'Hello!' }],
    stream: true,
  });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');

or with curl:

  curl ${gateway.baseUrl}/chat/completions -H 'authorization: Bearer ${gateway.keys.apiKey}' \\
    -H 'content-type: application/json' -d '{"model":"simulator/flaky","messages":[{"role":"user","content":"Hi"}]}'

Press Ctrl-C to stop.
`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping…');
  void gateway.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
