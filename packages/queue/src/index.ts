// @svc/queue: the profile-image queue shared by the API (producer) and the
// worker (consumer), and the Redis connections both use.
export {
  BACKOFF_JITTER,
  PROFILE_IMAGE_JOB_NAME,
  PROFILE_IMAGE_QUEUE,
  profileImageJobId,
  profileImageJobOptions,
  profileImageJobSchema,
  type ProfileImageJob,
} from "./profile-image-job";
export { createRedisConnection, type RedisRole } from "./redis";
export {
  createProfileImageProducer,
  QueueUnavailableError,
  type JobCountsByState,
  type ProfileImageProducer,
  type ProfileImageProducerOptions,
} from "./producer";
