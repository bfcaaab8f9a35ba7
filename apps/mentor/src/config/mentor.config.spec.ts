import { undocumentedVariables } from '@app/testing/readme-env';
import assert from 'node:assert/strict';
import { MentorConfig } from './mentor.config';

describe('MentorConfig', () => {
  it('has a README row for every variable', () => {
    assert.deepEqual(undocumentedVariables(MentorConfig), []);
  });
});
