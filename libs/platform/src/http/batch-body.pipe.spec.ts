import {
  BadRequestException,
  HttpException,
  NotFoundException,
  PayloadTooLargeException,
} from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max } from 'class-validator';
import assert from 'node:assert/strict';
import { BatchBodyPipe } from './batch-body.pipe';
import { toErrorBody } from './error-mapping';

class Item {
  @IsInt()
  @Max(10)
  n: number;

  @IsOptional()
  @IsString()
  label?: string;
}

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BadRequestException);
    const body = toErrorBody(error);
    return ((body.details ?? []) as { field: string }[]).map((d) => d.field);
  }
  assert.fail('expected a 400');
}

describe('BatchBodyPipe', () => {
  const pipe = new BatchBodyPipe(Item, { allowSingle: true, maxItems: 3 });

  it('accepts one object as a batch of one and drops unknown fields', () => {
    const [item] = pipe.transform({ n: 1, extra: true });
    assert.ok(item instanceof Item);
    assert.deepEqual({ ...item }, { n: 1, label: undefined });
  });

  it('names each offending item and field', () => {
    assert.deepEqual(
      fieldsOf(() => pipe.transform([{ n: 1 }, { n: 11 }, { n: 'x', label: 5 }])),
      ['[1].n', '[2].n', '[2].label'],
    );
    assert.deepEqual(
      fieldsOf(() => pipe.transform([{ n: 1 }, 'text'])),
      ['[1]'],
    );
  });

  it('hands hot paths the checked JSON objects themselves, with the same refusals', () => {
    const body = [
      { n: 1, extra: true },
      { n: 2, label: 'x' },
    ];
    const records = pipe.records(body);
    assert.equal(records[0], body[0]);
    assert.deepEqual(records, [{ n: 1 }, { n: 2, label: 'x' }]);
    assert.deepEqual(
      fieldsOf(() => pipe.records([{ n: 1 }, { n: 11 }])),
      ['[1].n'],
    );
  });

  it('refuses empty, oversized and non-object bodies', () => {
    for (const body of [[], [{ n: 1 }, { n: 1 }, { n: 1 }, { n: 1 }], 'text', 42, null]) {
      assert.throws(() => pipe.transform(body), BadRequestException);
    }
    const arraysOnly = new BatchBodyPipe(Item, { allowSingle: false, maxItems: 3 });
    assert.throws(() => arraysOnly.transform({ n: 1 }), BadRequestException);
  });
});

describe('toErrorBody', () => {
  it('keeps the status and message of HTTP exceptions in the spec shape', () => {
    assert.deepEqual(toErrorBody(new NotFoundException('Device x not found')), {
      statusCode: 404,
      error: 'Not Found',
      message: 'Device x not found',
    });
    assert.equal(toErrorBody(new PayloadTooLargeException()).statusCode, 413);
    assert.equal(toErrorBody(new HttpException('slow down', 429)).error, 'Too Many Requests');
  });

  it('maps framework client errors to their 4xx and hides everything else behind a 500', () => {
    assert.deepEqual(
      toErrorBody({ statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'x' }),
      {
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'Request body is too large',
      },
    );
    const internal = toErrorBody(new Error('relation "secret_table" does not exist'));
    assert.deepEqual(internal, {
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
    });
  });
});
