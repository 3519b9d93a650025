// Attachments over HTTP: `POST /api/attachments` (one multipart field `file`, a visitor's or an
// agent's session) and `GET /api/attachments/:id` (the bytes, to whoever core/attachments.ts lets
// read them). Uploads are an anonymous attack surface: limited per client address (count and
// concurrency) on top of MAX_UPLOAD_BYTES and the unsent-uploads cap of the core.

import { Router, type Request, type Response } from 'express';
import type { AttachmentOwner, AttachmentReader, AttachmentService } from '../core/attachments.ts';
import { contentDisposition } from '../core/attachment-files.ts';
import type { AddressGauge, AddressRate } from '../edge/address-limits.ts';
import { isAllowedOrigin, isOwnOrigin } from '../edge/origin.ts';
import { type Schemas } from '../edge/schemas.ts';
import type { Logger } from '../logger.ts';
import { ATTACHMENTS_PATH, isInlineImage } from '../protocol/attachments.ts';
import { AppError, ErrorCode, isAppError } from '../protocol/errors.ts';
import type { Store } from '../store/store.ts';
import { sessionAgent } from './guards.ts';
import { readOneFile } from './multipart-file.ts';

/**
 * A file is never a page: no script, no plugin, no form, no navigation of its own, whatever a
 * browser makes of its bytes (with nosniff, set for every response in http-app.ts).
 */
const FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox";

export function attachmentsRouter(deps: {
  store: Store;
  attachments: AttachmentService;
  schemas: Schemas;
  logger: Logger;
  allowedOrigins: readonly string[];
  trustProxy: boolean;
  maxUploadBytes: number;
  /** Uploads per client address from clients without an agent session (UPLOAD_RATE_LIMIT). */
  uploadRate: AddressRate;
  /** Visitors' uploads in progress per client address: each holds up to MAX_UPLOAD_BYTES in memory. */
  uploadsInFlight: AddressGauge;
}): Router {
  const { store, attachments, schemas, logger, trustProxy } = deps;
  const router = Router();

  /**
   * Who uploads: the widget asks `?as=visitor`; otherwise the session's agent, else its visitor.
   * Each under its own origin rule: the console's pages only for an agent (CSRF), this service and
   * the sites allowed to embed the widget for a visitor.
   */
  async function uploader(req: Request): Promise<AttachmentOwner> {
    const agent = req.query.as === 'visitor' ? null : await sessionAgent(store, req);
    if (agent) {
      if (!isOwnOrigin(req, trustProxy)) throw new AppError(ErrorCode.Forbidden, 'cross-site request refused');
      return { kind: 'agent', id: agent.id };
    }
    const visitorId = req.session?.visitorId;
    if (!visitorId) throw new AppError(ErrorCode.Unauthorized, 'start a visitor session or log in first');
    if (!isAllowedOrigin(req, deps.allowedOrigins, trustProxy)) throw new AppError(ErrorCode.Forbidden, 'origin not allowed');
    return { kind: 'visitor', id: visitorId };
  }

  router.post(ATTACHMENTS_PATH, async (req: Request, res: Response) => {
    const owner = await uploader(req);
    const address = req.ip ?? 'unknown';
    if (owner.kind === 'visitor' && !deps.uploadRate.take(address)) {
      res.setHeader('Connection', 'close');
      throw new AppError(ErrorCode.RateLimited, 'too many uploads from this address; try again later');
    }
    // Anonymous uploads in progress per address: each holds up to MAX_UPLOAD_BYTES in memory.
    const gauged = owner.kind === 'visitor';
    if (gauged && deps.uploadsInFlight.full(address)) {
      res.setHeader('Connection', 'close');
      throw new AppError(ErrorCode.RateLimited, 'too many uploads in progress from this address; wait for them');
    }
    if (gauged) deps.uploadsInFlight.open(address);
    let file;
    try {
      file = await readOneFile(req, 'file', deps.maxUploadBytes);
    } catch (err) {
      // The rest of the body is not read: the connection ends with this answer.
      if (isAppError(err)) res.setHeader('Connection', 'close');
      throw err;
    } finally {
      if (gauged) deps.uploadsInFlight.close(address);
    }
    const a = await attachments.upload(owner, file);
    logger.info({ event: 'attachment.uploaded', attachmentId: a.id, by: owner.kind, size: a.size, type: a.type }, 'attachment uploaded');
    res.status(201).json({ attachment: { id: a.id, name: a.name, size: a.size, type: a.type } });
  });

  router.get(`${ATTACHMENTS_PATH}/:id`, async (req: Request, res: Response) => {
    const parsed = schemas.attachmentId.safeParse(req.params.id);
    if (!parsed.success) throw new AppError(ErrorCode.NotFound, 'no such attachment');
    const readers: AttachmentReader[] = [];
    const agent = await sessionAgent(store, req);
    if (agent) readers.push({ kind: 'agent', agent: { id: agent.id, name: agent.name, role: agent.role } });
    if (req.session?.visitorId) readers.push({ kind: 'visitor', id: req.session.visitorId });
    if (readers.length === 0) throw new AppError(ErrorCode.Unauthorized, 'start a visitor session or log in first');
    const { attachment, data } = await attachments.read(readers, parsed.data);
    const inline = isInlineImage(attachment.type);
    res.setHeader('Content-Type', attachment.type === 'text/plain' ? 'text/plain; charset=utf-8' : attachment.type);
    res.setHeader('Content-Length', String(data.byteLength));
    // Only the safe raster images are shown in place; everything else (PDF, text) is a download.
    res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', attachment.name));
    res.setHeader('Content-Security-Policy', FILE_CSP);
    // Other sites may not embed the file, even in a browser that would send the cookie.
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    // The bytes behind an id never change; the browser may keep them, a shared cache may not.
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.end(req.method === 'HEAD' ? undefined : data);
  });

  return router;
}
