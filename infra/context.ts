// `cdk deploy -c name=value` options, turned into stack props.
import type { Node } from 'constructs';
import type { SwitchyardStackProps } from './switchyard-stack.ts';
import { DEFAULT_CORS } from './constructs/gateway-function.ts';

export interface AppOptions {
  stackName: string;
  props: SwitchyardStackProps;
}

/**
 * `stackName` (default Switchyard); `providerSecretArn`; `corsAllowedOrigins`:
 * `*` (default), a comma-separated origin list, or `none` to turn CORS off;
 * `bedrockAccess`: `false` to withhold Amazon Bedrock permissions;
 * `alarmTopicArn`: an SNS topic every alarm notifies.
 */
export function optionsFromContext(node: Node): AppOptions {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context ${key} must be a string`);
    return value.trim();
  };
  const origins = text('corsAllowedOrigins');
  const props: SwitchyardStackProps = {};
  const providerSecretArn = text('providerSecretArn');
  if (providerSecretArn !== undefined) props.providerSecretArn = providerSecretArn;
  const alarmTopicArn = text('alarmTopicArn');
  if (alarmTopicArn !== undefined) {
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(alarmTopicArn)) throw new Error(`context alarmTopicArn is not an SNS topic ARN: ${alarmTopicArn}`);
    props.alarmTopicArn = alarmTopicArn;
  }
  if (origins === 'none') props.cors = false;
  else if (origins !== undefined) {
    const allowedOrigins = origins.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
    if (allowedOrigins.length === 0) throw new Error('context corsAllowedOrigins lists no origin');
    props.cors = { ...DEFAULT_CORS, allowedOrigins };
  }
  // `-c` gives strings; cdk.json may hold a real boolean.
  const bedrockAccess: unknown = node.tryGetContext('bedrockAccess');
  if (bedrockAccess !== undefined) {
    if (![true, false, 'true', 'false'].includes(bedrockAccess as string)) throw new Error('context bedrockAccess must be true or false');
    props.bedrockAccess = bedrockAccess === true || bedrockAccess === 'true';
  }
  return { stackName: text('stackName') ?? 'Switchyard', props };
}
