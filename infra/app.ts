// `npx cdk synth | diff | deploy` runs this (cdk.json's `app`). It first
// bundles the Lambda functions (scripts/build.ts), so a fresh clone needs
// nothing but `npm ci` before a deploy; the bundles are deterministic, so an
// unchanged tree gives unchanged asset hashes and `cdk diff` shows no change.
// cdk-nag's AWS Solutions pack checks the stack at synthesis; v3 plugs into
// CDK's policy validation, so a finding that is not acknowledged with a
// reason fails `cdk synth`.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildFunctions } from '../scripts/build.ts';
import { optionsFromContext } from './context.ts';
import { SwitchyardStack } from './switchyard-stack.ts';

const app = new App();
const { stackName, props } = optionsFromContext(app.node);
// On stderr: `cdk synth` prints the template on stdout.
const bundles = await buildFunctions({ log: (line) => process.stderr.write(`${line}\n`) });
new SwitchyardStack(app, stackName, {
  ...props,
  gatewayCodePath: bundles.gateway,
  probeCodePath: bundles['health-probe'],
  reclaimCodePath: bundles.reclaim,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
