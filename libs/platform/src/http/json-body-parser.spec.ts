import assert from 'node:assert/strict';
import { containsNul, jsonDepth } from './json-body-parser';

describe('jsonDepth', () => {
  it('measures the nesting of arrays and objects', () => {
    assert.equal(jsonDepth(Buffer.from('1')), 0);
    assert.equal(jsonDepth(Buffer.from('{"a":[1,{"b":[]}]}')), 4);
    assert.equal(jsonDepth(Buffer.from('[[[]],[[[]]]]')), 4);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    assert.equal(jsonDepth(Buffer.from('{"a":"[[[{{{"}')), 1);
    assert.equal(jsonDepth(Buffer.from('["\\"[[[", ["x"]]')), 2);
  });

  it('stops counting once past the limit', () => {
    const deep = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
    assert.equal(jsonDepth(deep, 64), 65);
  });
});

describe('containsNul', () => {
  it('finds U+0000 in strings and keys at any depth, not the text of its escape', () => {
    assert.equal(containsNul(JSON.parse('{"a":[1,{"b":"x\\u0000y"}]}')), true);
    assert.equal(containsNul(JSON.parse('{"a\\u0000":1}')), true);
    assert.equal(containsNul(JSON.parse('["\\\\u0000"]')), false);
    assert.equal(containsNul(JSON.parse('{"a":[null,true,1,"x"]}')), false);
  });
});
