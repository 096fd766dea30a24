/**
 * Digests of content read as a stream, so a file is never held whole to be compared: for
 * get_url's checksums and copy's comparisons.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";

/** The algorithms a `checksum` may name, as Ansible's get_url takes them. */
const ALGORITHMS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

function hasher(algo: string): Hash {
  if (!ALGORITHMS.includes(algo)) {
    throw new Error(`checksum algorithm "${algo}" is not supported (${ALGORITHMS.join(", ")})`);
  }
  return createHash(algo);
}

/** A stream passed through unchanged while it is hashed; `hex()` once it has ended. */
export function hashing(
  algo: string,
): { stream: TransformStream<Uint8Array, Uint8Array>; hex(): string } {
  const hash = hasher(algo);
  let hex: string | undefined;
  return {
    stream: new TransformStream({
      transform(chunk, controller) {
        hash.update(chunk);
        controller.enqueue(chunk);
      },
      flush() {
        hex = hash.digest("hex");
      },
    }),
    hex: () => {
      if (hex === undefined) throw new Error("the stream was not read to its end");
      return hex;
    },
  };
}

/** The hex digest of a stream, read chunk by chunk. */
export async function digestStream(
  algo: string,
  stream: ReadableStream<Uint8Array>,
): Promise<string> {
  const hash = hasher(algo);
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest("hex");
}
