export { environmentCredentials } from './environment-credentials.ts';
export { cachedSecretCredentials, type CachedSecretCredentialsOptions } from './cached-secret-credentials.ts';
