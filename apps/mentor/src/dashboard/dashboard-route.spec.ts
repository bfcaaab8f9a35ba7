import assert from 'node:assert/strict';
import { prefersHtml, wantsDashboardPage } from './dashboard-route';

const BROWSER =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('Which requests get the dashboard page', () => {
  it('takes a browser navigation as preferring HTML', () => {
    assert.equal(prefersHtml(BROWSER), true);
    assert.equal(prefersHtml('application/xhtml+xml'), true);
  });

  it('leaves curl, fetch, axios, JSON and event-stream clients to the API', () => {
    for (const accept of [
      undefined,
      '',
      '*/*',
      'application/json',
      'application/json, text/plain, */*',
      'text/event-stream',
      'text/*',
    ]) {
      assert.equal(prefersHtml(accept), false, String(accept));
    }
  });

  it('weighs q values: HTML ranked below JSON is not preferred, and q=0 refuses it', () => {
    assert.equal(prefersHtml('text/html;q=0.5, application/json'), false);
    assert.equal(prefersHtml('application/json;q=0.4, text/html;q=0.9'), true);
    assert.equal(prefersHtml('text/html;q=0, application/json;q=0.1'), false);
    assert.equal(prefersHtml('text/html;q=abc'), false);
  });

  it('serves the page at / and /index.html whatever is accepted, for GET and HEAD only', () => {
    assert.equal(wantsDashboardPage('GET', '/', '*/*'), true);
    assert.equal(wantsDashboardPage('HEAD', '/index.html'), true);
    assert.equal(wantsDashboardPage('GET', '/?tab=1', 'application/json'), true);
    assert.equal(wantsDashboardPage('POST', '/', BROWSER), false);
  });

  it('sends deep links of a browser to the page and everything else to the API', () => {
    assert.equal(wantsDashboardPage('GET', '/devices/abc?range=24h', BROWSER), true);
    assert.equal(wantsDashboardPage('GET', '/devices/abc', '*/*'), false);
    assert.equal(wantsDashboardPage('DELETE', '/users/x', BROWSER), false);
  });

  it('never takes the docs, health, metrics, events or asset paths for the page', () => {
    for (const path of [
      '/docs',
      '/docs/',
      '/docs/index.html',
      '/docs-json',
      '/health',
      '/health/ready',
      '/metrics',
      '/events?ticket=x',
      '/assets/index-abc.js',
    ]) {
      assert.equal(wantsDashboardPage('GET', path, BROWSER), false, path);
    }
    assert.equal(wantsDashboardPage('GET', '/healthy-devices', BROWSER), true);
  });
});
