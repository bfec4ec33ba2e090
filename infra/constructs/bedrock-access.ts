// Amazon Bedrock endpoints are called with the function's own role (DESIGN
// decision 11), through cross-region inference profiles (`us.anthropic.…`),
// which route to the foundation model in any region of their geography.
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcardResource } from './nag-acknowledgements.ts';

/** Let `role` invoke Bedrock models, streaming or not, through profiles or directly. */
export function grantBedrockInvoke(role: iam.Role): void {
  const resources = [
    `arn:${Aws.PARTITION}:bedrock:*::foundation-model/*`,
    `arn:${Aws.PARTITION}:bedrock:*:${Stack.of(role).account}:inference-profile/*`,
  ];
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'InvokeBedrockModels', actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'], resources }),
  );
  for (const resource of resources) {
    acknowledgeWildcardResource(
      role,
      resource,
      'Which Bedrock models are called is catalog data that changes without a deploy, and a cross-region profile may route to any region; only the two invoke actions are allowed.',
    );
  }
}
