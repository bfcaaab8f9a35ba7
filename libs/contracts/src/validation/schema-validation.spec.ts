import { fuzzSeed, mulberry32 } from '@app/testing/seeded-random';
import {
  BatchSchema,
  createSchemaAjv,
  DtoSchema,
  flattenValidationErrors,
  ValidationFailedException,
} from '@app/platform';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync } from 'class-validator';
import assert from 'node:assert/strict';
import { ForwardedCommandStatusDto, InternalCommandDto } from '../commands/command.dto';
import { RegisterDeviceDto } from '../devices/register-device.dto';
import { ActivityDto, AlertDto, MetricDto, ProcessDto } from '../devices/telemetry.dto';
import {
  ForwardedActivityDto,
  ForwardedAlertDto,
  ForwardedDeviceDto,
  ForwardedMetricDto,
  ForwardedProcessSnapshotDto,
} from '../forwarded/forwarded.dto';
import { ForwardedScreenshotDto } from '../screenshots/screenshot.dto';

/**
 * The JSON Schemas generated from the wire DTOs (DtoSchema, validated by ajv as Fastify does)
 * must give class-validator's verdict for every body: random records built from values around
 * every limit of every wire DTO are checked both ways, an accepted record must keep exactly the
 * fields class-validator keeps, and a refused one must be answered with the field errors the
 * class-validator path gives. FUZZ_SEED=<n> replays a run.
 */
const SEED = fuzzSeed();
const RECORDS_PER_DTO = 4000;

const x = (n: number): string => 'x'.repeat(n);
/** U+FE0F and surrogate pairs: validator.js's isLength does not count them like .length does. */
const tricky = (n: number): string[] => [
  `${x(n - 1)}\uFE0F`,
  `${x(n)}\uFE0F`,
  `${x(n - 1)}😀`,
  '😀'.repeat(n),
  '\uFE0F'.repeat(n),
];

/** Every kind of JSON value, and values at or just past each limit the DTOs use. */
const VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  0.5,
  1,
  42.5,
  100,
  100.000001,
  101,
  -100,
  -100.5,
  200,
  200.5,
  31_536_000,
  31_536_001,
  100_000,
  100_001,
  4_294_967_295,
  4_294_967_296,
  2_147_483_647,
  2_147_483_648,
  -2_147_483_648,
  -2_147_483_649,
  67_108_864,
  67_108_865,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  1e300,
  // What JSON.parse makes of 1e999 and -1e999.
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  ' ',
  '1',
  'x',
  x(64),
  x(65),
  x(128),
  x(129),
  x(255),
  x(256),
  x(1024),
  x(1025),
  x(4000),
  x(4001),
  x(4096),
  x(4097),
  x(65_536),
  x(65_537),
  ...tricky(1),
  ...tricky(64),
  ...tricky(255),
  'info',
  'warning',
  'error',
  'critical',
  'panic',
  'INFO',
  'pending',
  'delivered',
  'running',
  'completed',
  'failed',
  'expired',
  'image/png',
  'image/gif',
  'get_info status',
  'test-device-123',
  'bad id!',
  'a:b.c_d-e',
  '0b0e8c84-5e0e-4a59-9a6e-9d3a1c7c2c11',
  '0B0E8C84-5E0E-4A59-9A6E-9D3A1C7C2C11',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  '0b0e8c845e0e4a599a6e9d3a1c7c2c11',
  '0b0e8c84-5e0e-4a59-9a6e-9d3a1c7c2c1',
  '2026-11-22T05:04:42.375Z',
  '2026-11-22T05:04:42Z',
  '2026-11-22T05:04:42+02:00',
  '2026-11-22T05:04:42.123456789-11:30',
  '2026-11-22T05:04Z',
  '2026-11-22',
  '2026-11-22 05:04:42Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '1999-12-31T23:59:59.999Z',
  '2000-01-01T00:00:00Z',
  '2099-12-31T23:59:59.999Z',
  '2100-01-01T00:00:00Z',
  '2024-02-29T12:00:00Z',
  '2023-02-29T12:00:00Z',
  'yesterday',
  'a'.repeat(64).replace(/a/g, 'f'),
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
  'aGVsbG8=',
  'aGVsbG8',
  'not base64!',
  [],
  [1],
  ['x'],
  {},
  { a: 1 },
];

const UNKNOWN_KEYS = ['extra', 'gpu_usage', 'toString', 'nested', 'a'.repeat(100)];

const CASES: [string, new () => object][] = [
  ['MetricDto', MetricDto],
  ['ActivityDto', ActivityDto],
  ['AlertDto', AlertDto],
  ['ProcessDto', ProcessDto],
  ['RegisterDeviceDto', RegisterDeviceDto],
  ['ForwardedMetricDto', ForwardedMetricDto],
  ['ForwardedActivityDto', ForwardedActivityDto],
  ['ForwardedAlertDto', ForwardedAlertDto],
  ['ForwardedDeviceDto', ForwardedDeviceDto],
  ['ForwardedScreenshotDto', ForwardedScreenshotDto],
  ['ForwardedCommandStatusDto', ForwardedCommandStatusDto],
  ['InternalCommandDto', InternalCommandDto],
];

function classValidatorVerdict(
  cls: new () => object,
  plain: Record<string, unknown>,
): { valid: boolean; kept: Record<string, unknown>; details: unknown } {
  const instance = plainToInstance(cls, plain) as Record<string, unknown>;
  const errors = validateSync(instance, {
    whitelist: true,
    forbidUnknownValues: true,
    validationError: { target: true, value: true },
  });
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(instance)) if (value !== undefined) kept[key] = value;
  return { valid: errors.length === 0, kept, details: flattenValidationErrors(errors, '[0]') };
}

function propertiesOf(cls: new () => object): string[] {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(
    cls,
    undefined as unknown as string,
    false,
    false,
    undefined,
  );
  return [...new Set(metadatas.map((m) => m.propertyName))];
}

/**
 * The values each property accepts on its own (the DTOs' rules are per property), so random
 * records can be built that pass as often as they fail.
 */
function acceptedValues(cls: new () => object, properties: string[]): Map<string, unknown[]> {
  const accepted = new Map<string, unknown[]>();
  for (const property of properties) {
    const good = [undefined, ...VALUES].filter((value) => {
      const errors = validateSync(plainToInstance(cls, { [property]: value }), {
        whitelist: true,
        forbidUnknownValues: true,
      });
      return !errors.some((error) => error.property === property);
    });
    accepted.set(property, good);
  }
  return accepted;
}

/**
 * A deep copy of a record of JSON values made in the test's own realm: structuredClone's
 * objects come from outside Jest's sandbox, and a strict deep equality compares prototypes.
 */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)])) as T;
  }
  return value;
}

describe('JSON Schemas of the wire DTOs', () => {
  it('give class-validator verdict, fields and messages for random records of every DTO', () => {
    console.log(`schema-validation seed ${SEED} (rerun with FUZZ_SEED=${SEED})`);
    const random = mulberry32(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const ajv = createSchemaAjv();
    for (const [name, cls] of CASES) {
      const dto = DtoSchema.of(cls);
      assert.ok(dto, `${name} has a schema`);
      const schema = new BatchSchema(dto, { allowSingle: false, maxItems: 10 });
      const validate = ajv.compile(schema.body());
      const properties = propertiesOf(cls);
      const accepted = acceptedValues(cls, properties);
      let valid = 0;
      for (let i = 0; i < RECORDS_PER_DTO; i++) {
        const record: Record<string, unknown> = {};
        // Mostly accepted values, so about half of the records are valid as a whole.
        const wrongRate = random() < 0.5 ? 0 : 0.3;
        for (const property of properties) {
          const value = random() < wrongRate ? pick(VALUES) : pick(accepted.get(property)!);
          if (value !== undefined) record[property] = value;
        }
        if (random() < 0.3) record[pick(UNKNOWN_KEYS)] = pick(VALUES);
        const expected = classValidatorVerdict(cls, copy(record));
        const body = [copy(record)];
        const label = `${name} ${JSON.stringify(record).slice(0, 300)} (seed ${SEED})`;
        assert.equal(validate(body), expected.valid, label);
        const known = Object.keys(record).some((key) => dto.known.has(key));
        if (expected.valid) {
          valid++;
          if (known) assert.deepEqual(schema.accept(body)[0], expected.kept, label);
        } else if (known) {
          const refusal = schema.refusal(validate.errors ?? [], body);
          assert.ok(refusal instanceof ValidationFailedException, label);
          assert.deepEqual(refusal.fields, expected.details, label);
        }
      }
      assert.ok(valid > RECORDS_PER_DTO / 10, `${name}: only ${valid} valid records generated`);
    }
  });

  it('shows every rule in OpenAPI as its standard keyword', () => {
    assert.deepEqual(DtoSchema.of(ActivityDto)?.openApi(), {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid', nullable: true },
        timestamp: { type: 'string', format: 'date-time', nullable: true },
        activity_type: { type: 'string', minLength: 1, maxLength: 64 },
        description: { type: 'string', maxLength: 4000, nullable: true },
        app: { type: 'string', maxLength: 255, nullable: true },
        duration: { type: 'number', minimum: 0, maximum: 31_536_000, nullable: true },
      },
      required: ['activity_type'],
    });
  });

  it('is not made for DTOs whose rules need class-transformer (nested records)', () => {
    assert.equal(DtoSchema.of(ForwardedProcessSnapshotDto), undefined);
  });
});
