import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORS } from '../../infra/constructs/gateway-function.ts';
import { optionsFromContext } from '../../infra/context.ts';

const optionsFor = (context: Record<string, unknown>) => optionsFromContext(new App({ context }).node);

describe('optionsFromContext', () => {
  it('defaults to the Switchyard stack with nothing overridden', () => {
    expect(optionsFor({})).toEqual({ stackName: 'Switchyard', props: {} });
  });

  it('passes the stack name and an existing secret through', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:providers-AbCdEf';
    expect(optionsFor({ stackName: 'SwitchyardStaging', providerSecretArn: arn })).toEqual({
      stackName: 'SwitchyardStaging',
      props: { providerSecretArn: arn },
    });
  });

  it('restricts CORS to listed origins, keeping the default methods and headers', () => {
    const { props } = optionsFor({ corsAllowedOrigins: 'https://app.example.com, https://admin.example.com' });
    expect(props.cors).toEqual({ ...DEFAULT_CORS, allowedOrigins: ['https://app.example.com', 'https://admin.example.com'] });
  });

  it('turns CORS off with none', () => {
    expect(optionsFor({ corsAllowedOrigins: 'none' }).props.cors).toBe(false);
  });

  it('rejects an empty origin list', () => {
    expect(() => optionsFor({ corsAllowedOrigins: ' , ' })).toThrow(/lists no origin/);
  });

  it('reads bedrockAccess as a string from -c or a boolean from cdk.json', () => {
    expect(optionsFor({ bedrockAccess: 'false' }).props.bedrockAccess).toBe(false);
    expect(optionsFor({ bedrockAccess: true }).props.bedrockAccess).toBe(true);
    expect(() => optionsFor({ bedrockAccess: 'no' })).toThrow(/true or false/);
  });

  it('takes an SNS topic for the alarms, and refuses what is not a topic ARN', () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:switchyard-alarms';
    expect(optionsFor({ alarmTopicArn: arn }).props.alarmTopicArn).toBe(arn);
    expect(() => optionsFor({ alarmTopicArn: 'switchyard-alarms' })).toThrow(/not an SNS topic ARN/);
  });
});
