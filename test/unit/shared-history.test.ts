import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { HistoryRecord } from "../../stacks/history.js";
import {
  legacyImports,
  parseEngineEntry,
  readHistoryFiles,
  sharedHistory,
  type EngineEntry,
  type UpdateMeta,
} from "../../stacks/shared-history.js";
import { acmePlan } from "../golden/acme-plans.js";

const plan = acmePlan("minimal");

function entry(startTime: number, over: Partial<EngineEntry> = {}, meta?: Partial<UpdateMeta>): EngineEntry {
  const config: Record<string, string> = { "cto:plan": JSON.stringify({ ...plan, release: `r${startTime}` }) };
  if (meta)
    config["cto:update"] = JSON.stringify({
      schema: 1,
      id: `id${startTime}`,
      operation: "up",
      ctoVersion: "0.5.0",
      ...meta,
    });
  return { version: 0, kind: "update", startTime, endTime: startTime + 5, result: "succeeded", config, ...over };
}

const numbered = (entries: EngineEntry[]): EngineEntry[] => entries.map((e, i) => ({ ...e, version: i + 1 }));

/** A record of cto before the history was shared (schemaVersion 1). */
function legacy(n: number, startTime: number, over: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    schemaVersion: 1,
    n,
    operation: "up",
    startedAt: new Date((startTime - 1) * 1000).toISOString(),
    finishedAt: new Date((startTime + 6) * 1000).toISOString(),
    status: "succeeded",
    release: "x",
    profile: "minimal",
    versions: {},
    programVersion: "0.4.0",
    secretNames: [],
    plan,
    user: "alice",
    host: "laptop",
    ...over,
  };
}

describe("shared history (the backend's update records)", () => {
  it("reads cto's records from the entries: number, operation, rollback, version, who, result", () => {
    const entries = numbered([
      entry(1000, {}, { operation: "up", user: "bob", host: "ci" }),
      entry(2000, { kind: "refresh" }),
      entry(3000, { result: "failed" }, { operation: "upgrade", id: "u3" }),
      entry(4000, {}, { operation: "rollback", rollbackOf: 1 }),
      { ...entry(5000), config: {} }, // not cto's program: skipped
    ]);
    const journal: HistoryRecord[] = [{ ...legacy(7, 0), schemaVersion: 2, id: "u3", status: "cancelled" }];
    const h = sharedHistory(entries, journal);
    assert.deepEqual(
      h.map((r) => [r.n, r.operation, r.status, r.release, r.rollbackOf, r.programVersion]),
      [
        [1, "up", "succeeded", "r1000", undefined, "0.5.0"],
        [2, "refresh", "succeeded", "r2000", undefined, "unknown"],
        [3, "upgrade", "cancelled", "r3000", undefined, "0.5.0"],
        [4, "rollback", "succeeded", "r4000", 1, "0.5.0"],
      ],
    );
    assert.equal(h[0]?.user, "bob");
    assert.equal(h[0]?.startedAt, new Date(1_000_000).toISOString());
  });

  it("older local records fill in entries without cto:update, and are exported for migration once", () => {
    const entries = numbered([entry(1000), entry(2000), entry(3000)]);
    const journal = [
      legacy(1, 1000),
      legacy(2, 2000, { operation: "upgrade" }),
      legacy(3, 3000, { operation: "rollback", rollbackOf: 1 }),
    ];
    const mine = sharedHistory(entries, journal);
    assert.deepEqual(
      mine.map((r) => [r.n, r.operation, r.rollbackOf, r.programVersion, r.user]),
      [
        [1, "up", undefined, "0.4.0", "alice"],
        [2, "upgrade", undefined, "0.4.0", "alice"],
        [3, "rollback", 1, "0.4.0", "alice"],
      ],
    );
    // A teammate without the local records sees the same once the import reached the backend.
    const imports = legacyImports(entries, journal);
    assert.equal(imports.length, 3);
    const later = entry(4000, {}, { operation: "up" });
    later.config["cto:historyImport"] = JSON.stringify(imports);
    const theirs = sharedHistory(numbered([...entries, later]), []);
    assert.deepEqual(
      theirs.map((r) => [r.n, r.operation, r.rollbackOf, r.programVersion]),
      [
        [1, "up", undefined, "0.4.0"],
        [2, "upgrade", undefined, "0.4.0"],
        [3, "rollback", 1, "0.4.0"],
        [4, "up", undefined, "0.5.0"],
      ],
    );
    // Nothing left to migrate once every entry carries cto:update.
    assert.deepEqual(legacyImports(numbered([entry(1, {}, {})]), journal), []);
  });

  it("reads a file backend's history files, plain and gzipped, in time order", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "cto-sh-"));
    try {
      const dir = path.join(root, ".pulumi", "history", "proj", "dev");
      mkdirSync(dir, { recursive: true });
      const raw = (t: number): string =>
        JSON.stringify({
          kind: "update",
          startTime: t,
          endTime: t + 1,
          result: "succeeded",
          version: 0,
          config: { "cto:plan": "{}", "cto:secrets": { secure: "v1:abc" } },
        });
      writeFileSync(path.join(dir, "dev-1700000000000000002.history.json"), raw(2));
      writeFileSync(path.join(dir, "dev-1700000000000000001.history.json.gz"), gzipSync(raw(1)));
      writeFileSync(path.join(dir, "dev-1700000000000000001.checkpoint.json"), "{}");
      const entries = await readHistoryFiles(root, "proj", "dev");
      assert.deepEqual(
        entries.map((e) => [e.version, e.startTime]),
        [
          [1, 1],
          [2, 2],
        ],
      );
      assert.equal(entries[0]?.config["cto:secrets"], undefined, "secret config is not read");
      const [last] = await readHistoryFiles(root, "proj", "dev", { last: 1 });
      assert.deepEqual([last?.version, last?.startTime], [2, 2]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("parses the CLI's JSON entries (ISO times, {value, secret} config)", () => {
    const e = parseEngineEntry({
      version: 7,
      kind: "update",
      startTime: "2026-12-02T10:00:00Z",
      result: "succeeded",
      config: { "cto:plan": { value: "{}", secret: false }, "cto:secrets": { secret: true } },
    });
    assert.equal(e.version, 7);
    assert.equal(e.startTime, Date.parse("2026-12-02T10:00:00Z") / 1000);
    assert.deepEqual(e.config, { "cto:plan": "{}" });
  });
});
