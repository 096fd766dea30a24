/**
 * Extracts a ttar archive (the plain-text tree format node_exporter keeps its sysfs fixtures in)
 * byte for byte: `Directory:`, `Path:` + `Lines:` + content, `SymlinkTo:`, `Mode:`; a content
 * line ending in `EOF` has no newline, `NULLBYTE` is a NUL, and a backslash escapes either.
 * The same as `ttar -x`, without its one subprocess per line (seconds for sys.ttar).
 */

const latin1 = (bytes: Uint8Array) => {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
};
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Extracts `archive` into `dir`. */
export async function extractTtar(archive: string, dir: string): Promise<void> {
  const lines = latin1(await Deno.readFile(archive)).split("\n");
  if (lines.at(-1) === "") lines.pop();
  let path = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const [key, ...rest] = line.split(": ");
    const value = rest.join(": ");
    if (line.startsWith("#")) continue;
    if (key === "Directory") {
      path = `${dir}/${value}`;
      await Deno.mkdir(path, { recursive: true });
    } else if (key === "Path") {
      path = `${dir}/${value}`;
    } else if (key === "SymlinkTo") {
      await Deno.symlink(value, path);
    } else if (key === "Mode") {
      await Deno.chmod(path, parseInt(value, 8));
    } else if (key === "Lines") {
      let content = "";
      for (let n = Number(value); n > 0; n--) {
        const raw = lines[++i]!;
        const noNewline = /[^\\]EOF/.test(raw);
        content += raw
          .replace(/^NULLBYTE/, "\0")
          .replace(/([^\\])NULLBYTE/g, "$1\0")
          .replace(/\\NULLBYTE/g, "NULLBYTE")
          .replace(/([^\\])EOF/g, "$1")
          .replace(/\\EOF/g, "EOF") + (noNewline ? "" : "\n");
      }
      await Deno.writeFile(path, bytesOf(content));
    } else {
      throw new Error(`${archive}:${i + 1}: unknown ttar keyword in ${JSON.stringify(line)}`);
    }
  }
}
