/**
 * The console sink: events to stdout or stderr, as raw lines or JSON. Meant for debugging a
 * pipeline (`driftless logs --once` with a console output shows what would be shipped).
 *
 * @module
 */
import type { ConsoleSinkConfig } from "./config.ts";
import { eventJson, eventText } from "./event.ts";
import type { Sink, SinkEvent } from "./sink.ts";
import { redactor } from "../secrets.ts";

/** Writes events to the process's stdout or stderr. */
export class ConsoleSink implements Sink {
  readonly name: string;
  readonly #json: boolean;
  readonly #stream: { write(p: Uint8Array): Promise<number> };

  constructor(
    config: ConsoleSinkConfig,
    options: { stream?: { write(p: Uint8Array): Promise<number> } } = {},
  ) {
    this.name = config.name;
    this.#json = (config.format ?? "json") === "json";
    this.#stream = options.stream ?? (config.stream === "stderr" ? Deno.stderr : Deno.stdout);
  }

  check(): Promise<void> {
    return Promise.resolve();
  }

  async send(batch: readonly SinkEvent[]): Promise<void> {
    let text = "";
    for (const e of batch) text += (this.#json ? eventJson(e) : eventText(e)) + "\n";
    // The terminal is output like any other: config secrets never show there.
    const bytes = new TextEncoder().encode(redactor.redact(text));
    let off = 0;
    while (off < bytes.length) off += await this.#stream.write(bytes.subarray(off));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
