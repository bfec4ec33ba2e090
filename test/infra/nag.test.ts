// cdk-nag's AWS Solutions pack over the synthesised stack: nothing reported
// that is not acknowledged, and every acknowledgement says why.
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdkContext, standInBundle, synth, type Synthesized } from './synth-support.ts';

let bundle: ReturnType<typeof standInBundle>;
let main: Synthesized;

beforeAll(() => {
  bundle = standInBundle();
  main = synth(bundle.path);
});

afterAll(() => bundle.remove());

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing that is not acknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(main.app);
    expect(report.violations.map((violation) => `${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('gives a written reason for every acknowledgement', () => {
    const acknowledgements: Array<{ path: string; id: string; reason: unknown }> = [];
    const visit = (construct: IConstruct): void => {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) acknowledgements.push({ path: construct.node.path, id, reason });
      }
      construct.node.children.forEach(visit);
    };
    visit(main.app);

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(typeof acknowledgement.reason, acknowledgement.id).toBe('string');
      expect(String(acknowledgement.reason).trim().split(/\s+/).length, `${acknowledgement.id} at ${acknowledgement.path}`).toBeGreaterThanOrEqual(8);
    }
  });

  it('would catch a violation (the check above can fail)', () => {
    const app = new App({ context: cdkContext });
    const stack = new Stack(app, 'Careless');
    new s3.Bucket(stack, 'Open', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY });

    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((violation) => violation.ruleName);

    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
