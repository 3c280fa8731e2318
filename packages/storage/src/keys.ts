// Object keys and public URLs: the one place that decides where a file lives,
// so the API, the worker and the tests agree without talking to each other.

/** Where the API stages an uploaded original until the worker has processed it. */
export function stagingKey(deploymentId: string, imageId: string): string {
  return `originals/${deploymentId}/${imageId}`;
}

/**
 * Where a processed avatar is published. The key is derived from the output
 * bytes, so a retried or repeated job writes the same object again instead of
 * leaving orphans, and a CDN may cache it forever.
 */
export function profileImageKey(userId: string, sha256Hex: string, extension: string): string {
  return `avatars/${userId}/${sha256Hex.toLowerCase()}.${extension.replace(/^\./, "").toLowerCase()}`;
}

/**
 * The browser-facing URL of `key` under `baseUrl`. Each key segment is encoded
 * on its own so the slashes of the key stay path separators.
 */
export function publicUrl(baseUrl: string, key: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  const path = key
    .split("/")
    .filter((segment) => segment !== "")
    .map(encodeURIComponent)
    .join("/");
  return `${base}/${path}`;
}
