// Reads the one file of a multipart/form-data upload (busboy), holding at most `maxBytes` of it in
// memory: a declared Content-Length over the limit is refused before a byte is read, and a body
// that grows past it is cut off there (`too_large`). Anything but one part named `file` is refused.

import type { Request } from 'express';
import busboy from 'busboy';
import { AppError, ErrorCode } from '../protocol/errors.ts';

/** Room for the multipart framing around the file (boundaries, part headers). */
const FRAMING_BYTES = 16 * 1024;

export interface UploadedFile {
  name: string;
  declaredType: string;
  data: Uint8Array;
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError(ErrorCode.TooLarge, `the file is larger than ${maxBytes} bytes (MAX_UPLOAD_BYTES)`);
}

export function readOneFile(req: Request, field: string, maxBytes: number): Promise<UploadedFile> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + FRAMING_BYTES) return Promise.reject(tooLarge(maxBytes));
  if (!req.is('multipart/form-data')) {
    return Promise.reject(new AppError(ErrorCode.InvalidPayload, `send the file as multipart/form-data, in a field named "${field}"`));
  }
  return new Promise<UploadedFile>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { files: 1, fileSize: maxBytes, fields: 0, parts: 2, headerPairs: 16, fieldNameSize: 100 },
      });
    } catch {
      return reject(new AppError(ErrorCode.InvalidPayload, 'malformed multipart request'));
    }
    let file: UploadedFile | null = null;
    let settled = false;
    const chunks: Buffer[] = [];
    let size = 0;
    /** Stops reading: the rest of the body is never buffered (the response closes the connection). */
    const fail = (err: AppError) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => {});
      req.resume();
      reject(err);
    };
    parser.on('file', (name, stream, info) => {
      if (name !== field) {
        stream.resume();
        return fail(new AppError(ErrorCode.InvalidPayload, `the file must be in a field named "${field}"`));
      }
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        chunks.push(chunk);
      });
      stream.on('limit', () => fail(tooLarge(maxBytes)));
      stream.on('end', () => {
        // Browsers send `"` in a file name as %22 (the HTML standard's multipart encoding; line breaks too,
        // which cleanFileName drops anyway): the name the person sees is theirs again.
        const name = (info.filename ?? '').replaceAll('%22', '"');
        if (!settled) file = { name, declaredType: info.mimeType ?? '', data: Buffer.concat(chunks, size) };
      });
    });
    parser.on('field', () => fail(new AppError(ErrorCode.InvalidPayload, `only one field, "${field}", is expected`)));
    parser.on('partsLimit', () => fail(new AppError(ErrorCode.InvalidPayload, `only one field, "${field}", is expected`)));
    parser.on('filesLimit', () => fail(new AppError(ErrorCode.InvalidPayload, 'only one file per upload')));
    parser.on('fieldsLimit', () => fail(new AppError(ErrorCode.InvalidPayload, `only one field, "${field}", is expected`)));
    parser.on('error', () => fail(new AppError(ErrorCode.InvalidPayload, 'malformed multipart request')));
    parser.on('close', () => {
      if (settled) return;
      if (!file) return fail(new AppError(ErrorCode.InvalidPayload, `no file in a field named "${field}"`));
      settled = true;
      resolve(file);
    });
    req.on('aborted', () => fail(new AppError(ErrorCode.InvalidPayload, 'the upload was interrupted')));
    req.pipe(parser);
  });
}
