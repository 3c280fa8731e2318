// Baseline of scenario 3: the naive synchronous design, which buffers the
// upload with multer and runs the avatar transform inside the request before
// it answers. Same transform, same sharp settings as the worker.
import express from "express";
import multer from "multer";
import { configureSharp, transformToAvatar, type AvatarFormat } from "@svc/images";

const env = process.env;
configureSharp({ concurrency: 1 });
const avatar = {
  size: Number(env.IMAGE_OUTPUT_SIZE ?? 512),
  format: (env.IMAGE_OUTPUT_FORMAT ?? "webp") as AvatarFormat,
  quality: Number(env.IMAGE_OUTPUT_QUALITY ?? 80),
  maxPixels: Number(env.IMAGE_MAX_PIXELS ?? 40_000_000),
};
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: Number(env.IMAGE_MAX_BYTES ?? 10 * 1024 * 1024), files: 1 },
}).any();

const app = express();
app.disable("x-powered-by");
app.post("/users", upload, async (req, res) => {
  const file = (req.files as Express.Multer.File[] | undefined)?.[0];
  if (!file) {
    res.status(422).json({ message: "profile_image is required" });
    return;
  }
  const result = await transformToAvatar(file.buffer, avatar);
  res.status(201).json({
    email_address: (req.body as Record<string, string>).email_address,
    profile_image_status: "ready",
    avatar_bytes: result.data.length,
  });
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: typeof address === "object" && address ? address.port : 0 });
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
