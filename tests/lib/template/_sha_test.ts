/** The allocation-free SHA-256/512 against node:crypto, across block boundaries and chunkings. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Sha256, Sha512 } from "../../../lib/template/_sha.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("Sha256 and Sha512 hash as node:crypto does, however the input is split", () => {
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 31 + 7) & 0xff);
  for (const [name, hasher] of [["sha256", new Sha256()], ["sha512", new Sha512()]] as const) {
    // Lengths around the padding limits (55/56, 111/112) and the block sizes (64, 128).
    for (const len of [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 255, 300]) {
      const input = data.subarray(0, len);
      const want = createHash(name).update(input).digest("hex");
      assert.equal(hex(hasher.reset().update(input).digest()), want, `${name} of ${len} bytes`);
      // Fed in uneven pieces, reusing the same hasher.
      hasher.reset();
      for (let i = 0; i < len; i += 7) hasher.update(input.subarray(i, Math.min(len, i + 7)));
      assert.equal(hex(hasher.digest()), want, `${name} of ${len} bytes in pieces of 7`);
    }
  }
});
