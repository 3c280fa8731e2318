// @svc/storage: the object store (staging originals, public avatars), its keys
// and URLs, and an embedded S3 server for development and tests.
export { stagingKey, profileImageKey, publicUrl } from "./keys";
export {
  createObjectStore,
  ObjectNotFoundError,
  ObjectStoreTimeoutError,
  PUBLIC_CACHE_CONTROL,
  type ObjectStore,
  type ObjectStoreOptions,
} from "./object-store";
export { startEmbeddedS3, type EmbeddedS3 } from "./embedded";
