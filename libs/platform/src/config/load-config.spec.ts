import { IsBoolean, IsInt, IsOptional, IsString, Min, MinLength } from 'class-validator';
import assert from 'node:assert/strict';
import { ConfigError } from './config-error';
import { parseDuration } from './duration';
import { EnvBoolean, EnvDuration, EnvList, EnvNumber } from './env.decorators';
import { loadConfig } from './load-config';

class SampleConfig {
  @EnvNumber()
  @IsInt()
  @Min(1)
  PORT: number = 8080;

  @EnvBoolean()
  @IsBoolean()
  ENABLED: boolean = true;

  @EnvDuration('s')
  @IsInt()
  TIMEOUT: number = 10_000;

  @EnvList()
  @IsString({ each: true })
  KEYS: string[] = [];

  @IsOptional()
  @IsString()
  @MinLength(16)
  API_TOKEN?: string;
}

describe('loadConfig', () => {
  it('uses field initialisers as defaults', () => {
    const config = loadConfig(SampleConfig, {});
    assert.deepEqual(
      [config.PORT, config.ENABLED, config.TIMEOUT, config.KEYS, config.API_TOKEN],
      [8080, true, 10_000, [], undefined],
    );
  });

  it('reads typed values from the environment', () => {
    const config = loadConfig(SampleConfig, {
      PORT: '9000',
      ENABLED: 'false',
      TIMEOUT: '2m',
      KEYS: 'a, b,,c',
      UNRELATED: 'ignored',
    });
    assert.deepEqual(
      [config.PORT, config.ENABLED, config.TIMEOUT, config.KEYS],
      [9000, false, 120_000, ['a', 'b', 'c']],
    );
    assert.equal((config as unknown as Record<string, unknown>).UNRELATED, undefined);
  });

  it('names every bad variable and hides secret values', () => {
    assert.throws(
      () =>
        loadConfig(SampleConfig, {
          PORT: 'eighty',
          ENABLED: 'perhaps',
          TIMEOUT: 'later',
          API_TOKEN: 'short-secret',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /PORT: .*got "eighty"/);
        assert.match(error.message, /ENABLED: .*got "perhaps"/);
        assert.match(error.message, /TIMEOUT: .*got "later"/);
        assert.match(error.message, /API_TOKEN: .*value hidden/);
        assert.doesNotMatch(error.message, /short-secret/);
        return true;
      },
    );
  });
});

describe('parseDuration', () => {
  it('reads bare numbers in the default unit and suffixed values in theirs', () => {
    assert.equal(parseDuration('10'), 10_000);
    assert.equal(parseDuration('2.5s'), 2500);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('72h'), 259_200_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration('3', 'm'), 180_000);
  });

  it('returns NaN for text that is not a duration', () => {
    for (const bad of ['', 'soon', '-1s', '5 weeks', '1e3'])
      assert.ok(Number.isNaN(parseDuration(bad)), bad);
  });
});
