import assert from "node:assert/strict";
import { parseListUnits, parseShow, systemdFamilies } from "../../../lib/facts/systemd.ts";
import { valueOf } from "./_fixtures.ts";

const LIST = `  ssh.service                 loaded active   running OpenBSD Secure Shell server
● nginx.service               loaded failed   failed  A high performance web server
  cron.service                loaded inactive dead    Regular background program processing daemon
  dbus.socket                 loaded active   running D-Bus System Message Bus Socket
`;
const SHOW =
  "Id=ssh.service\nType=notify\nNRestarts=0\n\nId=nginx.service\nType=forking\nNRestarts=7\n\nId=cron.service\nType=simple\nNRestarts=0\n";

Deno.test("parseListUnits() reads units, including the failed marker", () => {
  const units = parseListUnits(LIST);
  assert.deepEqual(units.map((u) => [u.name, u.active]), [
    ["ssh.service", "active"],
    ["nginx.service", "failed"],
    ["cron.service", "inactive"],
    ["dbus.socket", "active"],
  ]);
});

Deno.test("systemdFamilies() gives node_exporter's unit_state with the service type, and restarts", () => {
  const services = new Map(parseShow(SHOW).map((b) => [b.Id!, b]));
  const fams = systemdFamilies(parseListUnits(LIST), services, "degraded");
  assert.equal(
    valueOf(fams, "node_systemd_unit_state", {
      name: "nginx.service",
      state: "failed",
      type: "forking",
    }),
    1,
  );
  assert.equal(
    valueOf(fams, "node_systemd_unit_state", { name: "nginx.service", state: "active" }),
    0,
  );
  assert.equal(
    valueOf(fams, "node_systemd_unit_state", { name: "dbus.socket", state: "active", type: "" }),
    1,
  );
  assert.equal(fams.find((f) => f.name === "node_systemd_unit_state")!.samples.length, 4 * 5);
  assert.equal(valueOf(fams, "node_systemd_service_restart_total", { name: "nginx.service" }), 7);
  assert.equal(valueOf(fams, "node_systemd_units", { state: "active" }), 2);
  assert.equal(valueOf(fams, "node_systemd_system_running"), 0);
});
