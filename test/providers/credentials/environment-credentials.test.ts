import { describe, expect, it } from 'vitest';
import { environmentCredentials } from '../../../lib/providers/credentials/environment-credentials.ts';

describe('environment credentials', () => {
  it('reads the credential from the variable of the same name', async () => {
    const credentials = environmentCredentials({ OPENAI_API_KEY: 'sk-test-123', GROQ_API_KEY: '  gsk-456\n' });

    expect(await credentials.get('OPENAI_API_KEY')).toBe('sk-test-123');
    expect(await credentials.get('GROQ_API_KEY')).toBe('gsk-456');
  });

  it('has no credential for a missing or empty variable, nor for inherited names', async () => {
    const credentials = environmentCredentials({ EMPTY: '', BLANK: '   ', UNSET: undefined });

    expect(await credentials.get('EMPTY')).toBeUndefined();
    expect(await credentials.get('BLANK')).toBeUndefined();
    expect(await credentials.get('UNSET')).toBeUndefined();
    expect(await credentials.get('ANTHROPIC_API_KEY')).toBeUndefined();
    expect(await credentials.get('toString')).toBeUndefined();
  });

  it('reads the environment it was given at each get', async () => {
    const env: Record<string, string | undefined> = {};
    const credentials = environmentCredentials(env);
    env.OPENAI_API_KEY = 'sk-late';

    credentials.refresh();

    expect(await credentials.get('OPENAI_API_KEY')).toBe('sk-late');
  });
});
