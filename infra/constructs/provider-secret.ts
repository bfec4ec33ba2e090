// Upstream provider credentials: one Secrets Manager secret holding a JSON map
// such as {"OPENAI_API_KEY": "sk-..."} (DESIGN decision 11). Created empty, or
// an existing secret imported by its full ARN.
import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface ProviderSecretProps {
  /** The complete ARN (with its random suffix) of a secret to use instead of creating one. */
  existingSecretArn?: string;
}

export class ProviderSecret extends Construct {
  readonly secret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: ProviderSecretProps = {}) {
    super(scope, id);
    if (props.existingSecretArn !== undefined) {
      this.secret = secretsmanager.Secret.fromSecretCompleteArn(this, 'Imported', props.existingSecretArn);
      return;
    }
    const created = new secretsmanager.Secret(this, 'Secret', {
      description: 'Switchyard upstream provider credentials: a JSON map such as {"OPENAI_API_KEY": "..."}',
      // An empty map, not a credential. CloudFormation only rewrites the value when this
      // text changes, so keys put in later with put-secret-value survive redeploys.
      secretStringValue: SecretValue.unsafePlainText('{}'),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(created).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Holds third-party provider API keys (OpenAI, Anthropic, ...) that only the provider can issue; ' +
        'rotate them at the provider and put the new map with put-secret-value (docs/deploying.md).',
    });
    this.secret = created;
  }
}
