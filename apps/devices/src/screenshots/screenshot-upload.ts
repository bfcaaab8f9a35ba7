import { errorBody } from '@app/platform';
import {
  BadRequestException,
  HttpException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export interface Upload {
  bytes: Buffer;
  fields: Record<string, string>;
}

function tooLarge(maxBytes: number): PayloadTooLargeException {
  return new PayloadTooLargeException(
    errorBody(413, `A screenshot may be at most ${maxBytes} bytes`, { limit_bytes: maxBytes }),
  );
}

/**
 * Reads the one `file` part of a multipart request into memory, with the text fields sent before
 * it (`id`, `timestamp`). Plugin errors become our error bodies: too large 413, not multipart 415.
 * @fastify/multipart stops reading a file at its limit, set one byte above `maxBytes`, and may
 * signal the limit too late: when the bytes up to the limit arrive before the byte past it,
 * `toBuffer()` has already seen them all and resolves with a cut file. So the size is checked
 * here, on the bytes themselves: more than `maxBytes` is a 413, whatever the plugin said.
 */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  try {
    const part = await request.file();
    if (!part)
      throw new BadRequestException(errorBody(400, 'A multipart field `file` is required'));
    if (part.fieldname !== 'file') {
      throw new BadRequestException(
        errorBody(400, 'The image must be sent in the multipart field `file`', [
          { field: 'file', errors: [`unexpected file field ${part.fieldname}`] },
        ]),
      );
    }
    const bytes = await part.toBuffer();
    if (bytes.length > maxBytes || part.file.truncated) throw tooLarge(maxBytes);
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(part.fields)) {
      const field = Array.isArray(value) ? value[0] : value;
      if (field && field.type === 'field' && typeof field.value === 'string') {
        fields[name] = field.value;
      }
    }
    return { bytes, fields };
  } catch (error) {
    if (error instanceof HttpException) throw error;
    const code = (error as { code?: string }).code ?? '';
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw tooLarge(maxBytes);
    }
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
      throw new UnsupportedMediaTypeException(
        errorBody(415, 'Screenshots are sent as multipart/form-data with a field `file`'),
      );
    }
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new PayloadTooLargeException(errorBody(413, 'Too many parts in the upload'));
    }
    throw new BadRequestException(errorBody(400, 'Malformed multipart body'));
  }
}
