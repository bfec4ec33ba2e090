// Offline synthesis of the stack for the tests in this folder: the context
// of cdk.json, a stand-in bundle instead of dist/, and helpers that find
// resources by the construct that made them, never by a literal logical id.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { SwitchyardStack, type SwitchyardStackProps } from '../../infra/switchyard-stack.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
export const cdkContext = (JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

export type Json = Record<string, unknown>;
export interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Json;
}

/** `npm run build` makes dist/; a stand-in bundle keeps the tests independent of it. */
export function standInBundle(): { path: string; remove(): void } {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'switchyard-bundle-'));
  writeFileSync(path.join(directory, 'index.mjs'), 'export const handler = async () => {};\n');
  return { path: directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

export function synth(bundlePath: string, props: SwitchyardStackProps = {}) {
  const app = new App({ context: cdkContext });
  const stack = new SwitchyardStack(app, 'SwitchyardTest', { gatewayCodePath: bundlePath, probeCodePath: bundlePath, reclaimCodePath: bundlePath, ...props });
  const template = Template.fromStack(stack);
  const resources = (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
  return { app, stack, template, resources };
}

export type Synthesized = ReturnType<typeof synth>;

export const logicalId = (stack: Stack, construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
export const ofType = (resources: Record<string, Resource>, type: string): Array<[string, Resource]> =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
export const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
/** Whether a template fragment refers to the resource with this logical id. */
export const mentions = (value: unknown, id: string): boolean => (JSON.stringify(value) ?? '').includes(`"${id}"`);

/** The statements of every inline policy attached to the role. */
export function statementsOfRole(resources: Record<string, Resource>, roleId: string): Statement[] {
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) => asArray(policy.Properties.Roles as unknown[]).some((role) => mentions(role, roleId)))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** A CloudFormation string expression as text: Ref → `<Id>`, GetAtt → `<Id.Attr>`. */
export function renderJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if (Array.isArray(node['Fn::Join'])) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(renderJoin).join(delimiter);
  }
  if ('Ref' in node) return `<${String(node.Ref)}>`;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}
