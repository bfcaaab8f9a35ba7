import assert from 'node:assert/strict';
import { variants } from './statement-cost';

const byName = new Map(variants().map((variant) => [variant.name, variant.text]));
const text = (name: string): string => {
  const found = byName.get(name);
  assert.ok(found, `no variant named ${name}`);
  return found;
};

describe('statement-cost variants', () => {
  it('measures the service statement itself, with its outbox bundle, as the first variant', () => {
    const forwarded = text('ingest, forwarded');
    assert.match(forwarded, /INSERT INTO record_ids/);
    assert.match(forwarded, /INSERT INTO metrics/);
    assert.match(forwarded, /INSERT INTO outbox/);
    assert.doesNotMatch(text('ingest, not forwarded'), /outbox/);
  });

  it('measures the statement Devices sends with webhook endpoints subscribed', () => {
    const webhooks = text('ingest, forwarded, webhooks');
    assert.match(webhooks, /INSERT INTO webhook_events/);
    assert.doesNotMatch(text('ingest, forwarded'), /webhook/);
  });

  it('cuts the id claims out of the rows-only variant and the rows out of the claims-only one', () => {
    const rows = text('rows without id claims');
    assert.match(rows, /INSERT INTO metrics/);
    assert.doesNotMatch(rows, /record_ids|claimed/);
    const claims = text('id claims alone');
    assert.match(claims, /INSERT INTO record_ids/);
    assert.doesNotMatch(claims, /INSERT INTO metrics|stored/);
  });

  it('reads the records without writing anything in the parse-only variant', () => {
    const parse = text('parse alone');
    assert.match(parse, /json_to_recordset/);
    assert.doesNotMatch(parse, /INSERT/);
    assert.match(parse, /SELECT count\(\*\) FROM input$/);
  });
});
