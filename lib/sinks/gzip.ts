/**
 * Gzip with the platform's CompressionStream (no dependency): whole buffers for request and
 * object bodies, and streamed file-to-file for rotated files (memory stays flat).
 *
 * @module
 */

/** Gzips a buffer. */
export async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Gunzips a buffer. */
export async function gunzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Gzips `src` into `dest` (written to a temp name, synced, then renamed) and removes `src`.
 */
export async function gzipFile(
  src: string,
  dest: string,
  options: { mode?: number } = {},
): Promise<void> {
  const tmp = `${dest}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  const input = await Deno.open(src, { read: true });
  const output = await Deno.open(tmp, {
    write: true,
    create: true,
    truncate: true,
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
  });
  try {
    for await (const chunk of input.readable.pipeThrough(new CompressionStream("gzip"))) {
      let off = 0;
      while (off < chunk.length) off += await output.write(chunk.subarray(off));
    }
    await output.sync();
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  } finally {
    output.close();
  }
  await Deno.rename(tmp, dest);
  await Deno.remove(src);
}
