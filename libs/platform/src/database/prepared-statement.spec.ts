import assert from 'node:assert/strict';
import { prepared } from './prepared-statement';

describe('prepared', () => {
  it('names one text the same way every time and two texts differently', () => {
    const a = prepared('SELECT $1::int', [1]);
    assert.equal(prepared('SELECT $1::int', [2]).name, a.name);
    assert.notEqual(prepared('SELECT $1::text', ['x']).name, a.name);
    assert.deepEqual(prepared('SELECT $1::int', [3]).values, [3]);
  });
});
