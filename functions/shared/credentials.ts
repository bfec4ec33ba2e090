// Provider credentials on Lambda (DESIGN decision 11): one Secrets Manager
// secret holding a JSON map `{"OPENAI_API_KEY": "sk-…", …}`, named by the
// function's configuration, read through lib's cache.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { cachedSecretCredentials, type PreloadableCredentials } from '../../lib/providers/credentials/index.ts';

/** How long a read secret is trusted before it is read again (a 401 re-reads it sooner). */
export const DEFAULT_CREDENTIALS_TTL_MS = 5 * 60_000;

const secretMap = z.record(z.string(), z.string());

/** A failure to read the credentials secret. Its message never holds the secret's value. */
export class CredentialsSecretError extends Error {
  override name = 'CredentialsSecretError';
}

export interface SecretLoaderOptions {
  /** Name or ARN of the secret. */
  secretId: string;
  client: Pick<SecretsManagerClient, 'send'>;
}

/** Reads and validates the secret once per call. */
export function secretLoader({ secretId, client }: SecretLoaderOptions): () => Promise<Record<string, string>> {
  return async () => {
    let secretString: string | undefined;
    try {
      const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString = output.SecretString;
    } catch (error) {
      throw new CredentialsSecretError(`Could not read the provider credentials secret ${secretId}`, { cause: error });
    }
    if (secretString === undefined) {
      throw new CredentialsSecretError(`The provider credentials secret ${secretId} has no string value`);
    }
    let document: unknown;
    try {
      document = JSON.parse(secretString) as unknown;
    } catch {
      // No cause: a JSON syntax error quotes the text it failed on, the secret itself.
      throw new CredentialsSecretError(`The provider credentials secret ${secretId} is not JSON`);
    }
    const parsed = secretMap.safeParse(document);
    if (!parsed.success) {
      const keys = parsed.error.issues.map((issue) => issue.path.map(String).join('.')).filter((key) => key !== '');
      const where = keys.length > 0 ? ` (keys: ${keys.join(', ')})` : '';
      throw new CredentialsSecretError(`The provider credentials secret ${secretId} must be a JSON object of strings${where}`);
    }
    return parsed.data;
  };
}

export interface SecretsManagerCredentialsOptions {
  secretId: string;
  ttlMs?: number;
  /** A configured client; one for the function's region and role when absent. */
  client?: Pick<SecretsManagerClient, 'send'>;
  now?: () => number;
  /** Told of every failed read (the secret is missing, unreadable or malformed); its message names the secret, never its value. */
  onLoadError?: (error: CredentialsSecretError) => void;
}

export function secretsManagerCredentials(options: SecretsManagerCredentialsOptions): PreloadableCredentials {
  const client = options.client ?? new SecretsManagerClient({});
  const read = secretLoader({ secretId: options.secretId, client });
  return cachedSecretCredentials({
    load: async () => {
      try {
        return await read();
      } catch (error) {
        if (error instanceof CredentialsSecretError) options.onLoadError?.(error);
        throw error;
      }
    },
    ttlMs: options.ttlMs ?? DEFAULT_CREDENTIALS_TTL_MS,
    now: options.now,
  });
}
