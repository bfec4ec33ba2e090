import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../functions/shared/config.ts';

const base = {
  SWITCHYARD_TABLE_NAME: 'switchyard',
  SWITCHYARD_PROVIDER_SECRET_ID: 'switchyard/providers',
  SWITCHYARD_USAGE_STREAM_NAME: 'switchyard-usage',
};

describe('the gateway configuration', () => {
  it('reads the table, secret and stream names; no catalog means the default one', () => {
    expect(readConfig(base)).toEqual({
      tableName: 'switchyard',
      secretId: 'switchyard/providers',
      usageStreamName: 'switchyard-usage',
      catalogJson: undefined,
      invocationWaiting: false,
    });
  });

  it('knows an invocation is waiting only on an on-demand start', () => {
    const waiting = (type: string | undefined) => readConfig({ ...base, AWS_LAMBDA_INITIALIZATION_TYPE: type }).invocationWaiting;

    expect(waiting('on-demand')).toBe(true);
    expect(waiting('provisioned-concurrency')).toBe(false);
    expect(waiting('snap-start')).toBe(false);
    expect(waiting(undefined)).toBe(false);
  });

  it('names a missing variable', () => {
    expect(() => readConfig({ ...base, SWITCHYARD_USAGE_STREAM_NAME: '' })).toThrow(/SWITCHYARD_USAGE_STREAM_NAME/);
  });
});
