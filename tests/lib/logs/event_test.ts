import assert from "node:assert/strict";
import { LogEvent } from "../../../lib/logs/event.ts";
import { eventJson } from "../../../lib/sinks/event.ts";

Deno.test("LogEvent.json() writes the same JSON as toJSON(), with or without parsed fields", () => {
  const origin = { source: 'a"pp', host: "web-1", path: "/var/log/näive\\app.log" };
  const time = Date.UTC(2024, 4, 1, 10, 0, 0, 123);
  const cases = [
    new LogEvent('plain "quoted" line\twith \u2028 and 日本語', 42, time, origin),
    new LogEvent("", 0, time + 1, origin),
  ];
  const parsed = new LogEvent("level=info msg=x", 7, time, origin);
  parsed.setField("level", "info");
  parsed.setField("log.level", "info"); // a parsed field may shadow metadata
  const failed = new LogEvent("{broken", 9, time, origin);
  failed.error = "json: unexpected end";
  for (const e of [...cases, parsed, failed]) {
    assert.equal(eventJson(e as unknown as Record<string, unknown>), JSON.stringify(e.toJSON()));
    assert.deepEqual(JSON.parse(e.json()), e.toJSON());
  }
  assert.equal(
    cases[0]!.json(),
    '{"@timestamp":"2024-05-01T10:00:00.123Z","message":"plain \\"quoted\\" line\\twith \u2028 and 日本語",' +
      '"log":{"file":{"path":"/var/log/näive\\\\app.log"},"offset":42},"host":{"name":"web-1"},' +
      '"event":{"dataset":"a\\"pp"}}',
  );
});
