import assert from 'node:assert/strict';
import { BaseConfig } from './base.config';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

describe('BaseConfig partition settings', () => {
  it('premakes 7 days and waits 2 s for partition locks by default', () => {
    const config = loadConfig(BaseConfig, {});
    assert.deepEqual([config.PARTITION_PREMAKE_DAYS, config.PARTITION_LOCK_TIMEOUT], [7, 2000]);
    const custom = loadConfig(BaseConfig, {
      PARTITION_PREMAKE_DAYS: '14',
      PARTITION_LOCK_TIMEOUT: '500ms',
    });
    assert.deepEqual([custom.PARTITION_PREMAKE_DAYS, custom.PARTITION_LOCK_TIMEOUT], [14, 500]);
  });

  it('refuses premade days outside 1 to 90 and a lock timeout that is not a duration, naming them', () => {
    for (const [name, value] of [
      ['PARTITION_PREMAKE_DAYS', '0'],
      ['PARTITION_PREMAKE_DAYS', '91'],
      ['PARTITION_PREMAKE_DAYS', 'a week'],
      ['PARTITION_LOCK_TIMEOUT', 'soon'],
      ['PARTITION_LOCK_TIMEOUT', '10m'],
    ]) {
      assert.throws(
        () => loadConfig(BaseConfig, { [name]: value }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(name),
        `${name}=${value}`,
      );
    }
  });
});
