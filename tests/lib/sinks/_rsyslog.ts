/**
 * Starts a real rsyslogd (Debian) on loopback with its own config, work dir and pid file in a
 * temp dir (the system's rsyslog is untouched): UDP, TCP and a unix stream socket (imptcp),
 * all written to one file with a template that shows how rsyslog parsed each message.
 */

function which(cmd: string): string | undefined {
  for (const dir of [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/sbin"]) {
    try {
      if (Deno.statSync(`${dir}/${cmd}`).isFile) return `${dir}/${cmd}`;
    } catch { /* next */ }
  }
  return undefined;
}

/** rsyslogd's path, or undefined. */
export const RSYSLOGD = which("rsyslogd");
/** Why rsyslog tests cannot run here, or undefined. */
export const rsyslogMissing: string | undefined = RSYSLOGD
  ? undefined
  : "rsyslogd is not installed (apt-get install rsyslog)";
if (rsyslogMissing) {
  Deno.stderr.writeSync(new TextEncoder().encode(`skipping rsyslog tests: ${rsyslogMissing}\n`));
}

/** A running private rsyslogd. */
export interface Rsyslog {
  readonly udp: number;
  readonly tcp: number;
  readonly socket: string;
  /** Lines rsyslog wrote: `pri|hostname|app-name|msg`. */
  lines(): Promise<string[]>;
  /** Waits until at least `n` lines are written (or the timeout passes). */
  waitFor(n: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

function freeTcpPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function freeUdpPort(): Promise<number> {
  const { createSocket } = await import("node:dgram");
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Starts rsyslogd and waits until its inputs listen. */
export async function startRsyslog(ports: { tcp?: number } = {}): Promise<Rsyslog> {
  const dir = await Deno.makeTempDir({ prefix: "rsyslog-" });
  await Deno.mkdir(`${dir}/work`);
  const udp = await freeUdpPort();
  const tcp = ports.tcp ?? freeTcpPort();
  const socket = `${dir}/log.sock`;
  const out = `${dir}/out.log`;
  await Deno.writeTextFile(
    `${dir}/rsyslog.conf`,
    `global(workDirectory="${dir}/work" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
module(load="imptcp")
template(name="show" type="string" string="%pri%|%hostname%|%app-name%|%msg%\\n")
ruleset(name="in") { action(type="omfile" file="${out}" template="show") }
input(type="imudp" address="127.0.0.1" port="${udp}" ruleset="in")
input(type="imtcp" address="127.0.0.1" port="${tcp}" ruleset="in")
input(type="imptcp" path="${socket}" unlink="on" ruleset="in")
`,
  );
  const child = new Deno.Command(RSYSLOGD!, {
    args: ["-n", "-f", `${dir}/rsyslog.conf`, "-i", `${dir}/rsyslogd.pid`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const errText = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  (async () => {
    for (;;) {
      const { value, done } = await errText.read();
      if (done) break;
      stderr += value;
    }
  })();
  const lines = async () => {
    try {
      return (await Deno.readTextFile(out)).split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  // Ready when the TCP port and the socket accept connections.
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port: tcp })).close();
      (await Deno.connect({ transport: "unix", path: socket })).close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`rsyslogd did not start: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    udp,
    tcp,
    socket,
    lines,
    async waitFor(n, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      let got = await lines();
      while (got.length < n && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 50));
        got = await lines();
      }
      return got;
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
