// The image pipeline's public face: the API inspects uploads, the worker
// transforms them; nothing outside this package touches sharp.
export { sniffImageType, type ImageType } from "./sniff";
export {
  inspectImage,
  ImageRejectedError,
  type ImageRejectionCode,
  type ImageLimits,
  type ImageInfo,
} from "./inspect";
export {
  transformToAvatar,
  contentTypeFor,
  UndecodableImageError,
  type Avatar,
  type AvatarFormat,
  type AvatarOptions,
} from "./transform";
export { configureSharp, type SharpSettings } from "./sharp";
