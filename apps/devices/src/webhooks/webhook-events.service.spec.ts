import assert from 'node:assert/strict';
import { telemetryEventValues } from './webhook-events.service';

const record = (id: string, deviceid: string) => ({ id, deviceid, cpu_usage: 1 });

describe('telemetryEventValues', () => {
  it('makes one event per request with its records, and the group document in the same order', () => {
    const jobs = [
      { records: [record('a', 'd1'), record('b', 'd1')] },
      { records: [record('c', 'd2')] },
    ];
    const { doc, values } = telemetryEventValues(jobs, ['e1', 'e2', 'e3']);
    const [ids, data, first, last, endpoints] = values as [
      string[],
      string[],
      number[],
      number[],
      string[],
    ];
    assert.deepEqual(JSON.parse(doc), [...jobs[0].records, ...jobs[1].records]);
    assert.equal(ids.length, 2);
    assert.match(ids[0], /^msg_[0-9a-f]{32}$/);
    assert.notEqual(ids[0], ids[1]);
    assert.deepEqual(
      data.map((d) => JSON.parse(d) as unknown),
      [
        { deviceid: 'd1', records: jobs[0].records },
        { deviceid: 'd2', records: jobs[1].records },
      ],
    );
    assert.deepEqual(
      [first, last, endpoints],
      [
        [1, 3],
        [2, 3],
        ['e1', 'e2', 'e3'],
      ],
    );
  });

  it('leaves out a record an earlier request of the group carried, and a request left empty', () => {
    const jobs = [
      { records: [record('a', 'd1'), record('a', 'd1')] },
      { records: [record('a', 'd1')] },
      { records: [record('a', 'd1'), record('b', 'd1')] },
    ];
    const { doc, values } = telemetryEventValues(jobs, ['e1']);
    const [ids, data, first, last] = values as [string[], string[], number[], number[]];
    assert.deepEqual(
      (JSON.parse(doc) as { id: string }[]).map((r) => r.id),
      ['a', 'b'],
    );
    assert.equal(ids.length, 2);
    assert.deepEqual(
      data.map((d) => (JSON.parse(d) as { records: { id: string }[] }).records.map((r) => r.id)),
      [['a'], ['b']],
    );
    assert.deepEqual(
      [first, last],
      [
        [1, 2],
        [1, 2],
      ],
    );
  });
});
