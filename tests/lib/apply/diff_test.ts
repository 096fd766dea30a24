import assert from "node:assert/strict";
import { MAX_DIFF_BYTES, unifiedDiff } from "../../../lib/apply/diff.ts";

Deno.test("unifiedDiff() shows headers naming the file and 3 lines of context", async () => {
  const before = "1\n2\n3\n4\n5\n6\n7\n8\n";
  const after = "1\n2\n3\n4\nfive\n6\n7\n8\n";
  assert.equal(
    await unifiedDiff({ before, after, path: "/etc/app.conf" }),
    [
      "--- before: /etc/app.conf",
      "+++ after: /etc/app.conf",
      "@@ -2,7 +2,7 @@",
      " 2",
      " 3",
      " 4",
      "-5",
      "+five",
      " 6",
      " 7",
      " 8",
    ].join("\n"),
  );
});

Deno.test("unifiedDiff() marks a missing final newline and new files", async () => {
  const d = await unifiedDiff({ before: "", after: "a\nb", path: "/x" });
  assert.match(d, /@@ -0,0 \+1,2 @@\n\+a\n\+b\n\\ No newline at end of file/);
  const labels = await unifiedDiff({
    before: "x\n",
    after: "y\n",
    beforeLabel: "passwd: alice",
    afterLabel: "planned",
  });
  assert.match(labels, /^--- passwd: alice\n\+\+\+ planned\n/);
});

Deno.test("unifiedDiff() does not print binary or large content", async () => {
  assert.equal(
    await unifiedDiff({ before: "a\0b", after: "c", path: "/bin/x" }),
    "--- before: /bin/x\n+++ after: /bin/x\nBinary files differ",
  );
  assert.match(
    await unifiedDiff({ before: "", after: "x".repeat(MAX_DIFF_BYTES + 1), path: "/big" }),
    /File too large to diff \(104449 bytes, the limit is 104448\)$/,
  );
  assert.match(
    await unifiedDiff({ before: "é".repeat(60000), after: "", path: "/u" }),
    /too large/,
  );
});
