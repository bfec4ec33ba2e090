export { environmentCredentials } from './environment-credentials.ts';
export { cachedSecretCredentials, type CachedSecretCredentialsOptions, type PreloadableCredentials } from './cached-secret-credentials.ts';
