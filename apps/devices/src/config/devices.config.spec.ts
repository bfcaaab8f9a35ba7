import { undocumentedVariables } from '@app/testing/readme-env';
import assert from 'node:assert/strict';
import { DevicesConfig } from './devices.config';

describe('DevicesConfig', () => {
  it('has a README row for every variable', () => {
    assert.deepEqual(undocumentedVariables(DevicesConfig), []);
  });
});
