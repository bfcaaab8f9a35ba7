import { undocumentedVariables } from '@app/testing/readme-env';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DevicesConfig } from './devices.config';

void describe('DevicesConfig', () => {
  void it('has a README row for every variable', () => {
    assert.deepEqual(undocumentedVariables(DevicesConfig), []);
  });
});
