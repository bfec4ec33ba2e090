// `npx cdk deploy` runs this. cdk-nag's AWS Solutions pack checks the stack at
// synthesis; v3 plugs into CDK's policy validation, so a finding that is not
// acknowledged with a reason fails `cdk synth`.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { optionsFromContext } from './context.ts';
import { SwitchyardStack } from './switchyard-stack.ts';

const app = new App();
const { stackName, props } = optionsFromContext(app.node);
new SwitchyardStack(app, stackName, {
  ...props,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
