// The dashboard's page and assets come from the gateway itself, with a
// strict content security policy; the page carries no data and no key.
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../cli/local-gateway.ts';
import { gatewayRequestFromEvent, resultFromReply } from '../../functions/shared/lambda-http.ts';
import { startTestGateway } from '../support/local-gateway.ts';

let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.close();
});

describe('GET /dashboard', () => {
  it.each([
    ['/dashboard', 'text/html'],
    ['/dashboard/app.js', 'text/javascript'],
    ['/dashboard/app.css', 'text/css'],
    ['/dashboard/icon.svg', 'image/svg+xml'],
  ])('serves %s as %s with a same-origin-only policy', async (path, type) => {
    const response = await fetch(`${gateway.url}${path}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(type);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('loads nothing from another origin and holds no key or data', async () => {
    const page = await (await fetch(`${gateway.url}/dashboard`)).text();
    const script = await (await fetch(`${gateway.url}/dashboard/app.js`)).text();

    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(script).not.toMatch(/fetch\(\s*['"]https?:/);
    expect(page + script).not.toContain(gateway.keys.managementKey);
    expect(page + script).not.toContain(gateway.keys.apiKey);
  });

  it('answers an unknown asset with 404 and a write with 405', async () => {
    expect((await fetch(`${gateway.url}/dashboard/missing.js`)).status).toBe(404);
    expect((await fetch(`${gateway.url}/dashboard`, { method: 'POST' })).status).toBe(405);
  });
});

describe('GET /dashboard through the Lambda shell', () => {
  it('answers a Function URL event with the page, as on AWS', async () => {
    const event = {
      rawPath: '/dashboard',
      rawQueryString: '',
      headers: { host: 'abc.lambda-url.eu-west-1.on.aws' },
      isBase64Encoded: false,
      requestContext: { domainName: 'abc.lambda-url.eu-west-1.on.aws', http: { method: 'GET', path: '/dashboard' } },
    } as unknown as LambdaFunctionURLEvent;

    const result = resultFromReply(await gateway.gateway.serve(gatewayRequestFromEvent(event)));

    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toContain('text/html');
    expect(String(result.body)).toContain('<script type="module" src="/dashboard/app.js">');
  });
});
