import assert from 'node:assert/strict';
import { webhookUrlProblem } from './webhook-url';

const strict = { allowHttp: false, allowPrivate: false };

describe('webhookUrlProblem', () => {
  it('accepts a public https URL', () => {
    assert.equal(webhookUrlProblem('https://hooks.example.com/raqeem?x=1', strict), undefined);
  });

  it('refuses http unless allowed, and any other scheme always', () => {
    assert.equal(webhookUrlProblem('http://hooks.example.com/', strict), 'url must be https');
    assert.equal(
      webhookUrlProblem('http://hooks.example.com/', { ...strict, allowHttp: true }),
      undefined,
    );
    assert.match(
      webhookUrlProblem('file:///etc/passwd', { ...strict, allowHttp: true }) ?? '',
      /http or https/,
    );
  });

  it('refuses private IP literals unless allowed, and credentials in the URL always', () => {
    assert.match(webhookUrlProblem('https://127.0.0.1/', strict) ?? '', /loopback/);
    assert.match(webhookUrlProblem('https://[fd00:ec2::254]/', strict) ?? '', /cloud metadata/);
    assert.equal(
      webhookUrlProblem('https://127.0.0.1/', { ...strict, allowPrivate: true }),
      undefined,
    );
    assert.match(webhookUrlProblem('https://a:b@hooks.example.com/', strict) ?? '', /credentials/);
  });
});
