// cdk-nag v3 reports each IAM wildcard as its own finding, named after the
// resource expression as the template writes it (`<LogicalId.Arn>/usage/*`).
// Rather than spell logical ids by hand, resolve the ARN the policy uses and
// flatten it the way cdk-nag does, so the acknowledgement follows renames.
import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledge AwsSolutions-IAM5 for one wildcard resource ARN granted to `principal`'s policies. */
export function acknowledgeWildcardResource(principal: IConstruct, resourceArn: string, reason: string): void {
  const flattened = Token.isUnresolved(resourceArn) ? flatten(Stack.of(principal).resolve(resourceArn)) : resourceArn;
  Validations.of(principal).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flattened}]`, reason });
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    const join = record['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, parts] = join as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flatten(getAtt[0])}.${flatten(getAtt[1])}>`;
    if ('Ref' in record) return `<${flatten(record.Ref)}>`;
  }
  return JSON.stringify(node);
}
