// Bounds the memory uploads can take: at most `concurrency` large multipart
// bodies are read at once. A request over the bound is not read until a slot
// frees, so TCP flow control holds its bytes in the client, not in our heap.
import type { RequestHandler } from "express";
import pLimit from "p-limit";

/** Bodies up to this size pass without waiting: they cannot add up to much. */
const SMALL_BODY_BYTES = 1024 * 1024;

export function limitLargeUploads(concurrency: number): RequestHandler {
  const limit = pLimit(concurrency);
  return (req, res, next) => {
    const length = Number(req.get("content-length"));
    if (!req.is("multipart/form-data") || (Number.isFinite(length) && length <= SMALL_BODY_BYTES)) return next();
    // The slot is held until the response is done: the buffered file lives that long.
    void limit(
      () =>
        new Promise<void>((release) => {
          res.once("close", release);
          next();
        }),
    );
  };
}
