import assert from 'node:assert/strict';
import { UpdatesDuringLoad } from './updates-during-load';

interface Alert {
  id: string;
  state: string;
}

/** As a panel merges a live event: new ids in front, known ones left alone. */
const added =
  (alert: Alert) =>
  (list: Alert[] | undefined): Alert[] | undefined =>
    list && (list.some((a) => a.id === alert.id) ? list : [alert, ...list]);
const changed =
  (alert: Alert) =>
  (list: Alert[] | undefined): Alert[] | undefined =>
    list?.map((a) => (a.id === alert.id ? alert : a));

describe('UpdatesDuringLoad', () => {
  it('replays the live events that arrived while a load was out on the answer it brings', () => {
    const updates = new UpdatesDuringLoad<Alert[]>();
    updates.begin();
    updates.record(added({ id: 'fan', state: 'open' }));
    updates.record(changed({ id: 'disk', state: 'acknowledged' }));
    // The answer was read before the fan alert was stored, and before the acknowledgement.
    const answer = [{ id: 'disk', state: 'open' }];
    assert.deepEqual(updates.settle(answer), [
      { id: 'fan', state: 'open' },
      { id: 'disk', state: 'acknowledged' },
    ]);
  });

  it('changes nothing an answer already holds, and replays nothing once settled', () => {
    const updates = new UpdatesDuringLoad<Alert[]>();
    updates.begin();
    updates.record(added({ id: 'fan', state: 'open' }));
    const answer = [{ id: 'fan', state: 'open' }];
    assert.deepEqual(updates.settle(answer), answer);
    updates.record(added({ id: 'late', state: 'open' }));
    assert.deepEqual(updates.settle([]), []);
  });

  it('keeps nothing from a failed load or from before a load began, nor a value set outright', () => {
    const updates = new UpdatesDuringLoad<Alert[]>();
    updates.record(added({ id: 'before', state: 'open' }));
    updates.begin();
    updates.record([{ id: 'outright', state: 'open' }]);
    assert.deepEqual(updates.settle([]), []);
    updates.begin();
    updates.record(added({ id: 'lost', state: 'open' }));
    updates.drop();
    assert.deepEqual(updates.settle([]), []);
  });
});
