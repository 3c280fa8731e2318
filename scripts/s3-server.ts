// A local S3-compatible server (s3rver, the embedded default) on its own, for
// CI and for running API and worker as separate processes without MinIO:
//   tsx scripts/s3-server.ts --port 9000 --dir .data/s3
import { parseArgs } from "node:util";
import { startEmbeddedS3 } from "@svc/storage";

const { values } = parseArgs({
  options: { port: { type: "string", default: "9000" }, dir: { type: "string", default: ".data/s3" }, host: { type: "string", default: "127.0.0.1" } },
});
const server = await startEmbeddedS3({ dir: values.dir, port: Number(values.port), host: values.host });
console.log(`s3 server listening at ${server.endpoint} (data in ${values.dir})`);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void server.close().then(() => process.exit(0)));
}
