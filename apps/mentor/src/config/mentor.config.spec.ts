import { undocumentedVariables } from '@app/testing/readme-env';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MentorConfig } from './mentor.config';

void describe('MentorConfig', () => {
  void it('has a README row for every variable', () => {
    assert.deepEqual(undocumentedVariables(MentorConfig), []);
  });
});
