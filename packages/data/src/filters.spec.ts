import { describe, expect, it } from "vitest";
import { ConfigError, RecordingLogger } from "@llminit/core";
import {
  computeStats,
  EmptyDatasetError,
  filterByValue,
  filterInteractions,
  kCore,
  removeDuplicates,
} from "./filters.js";
import { compactLog, InteractionLogBuilder } from "./interaction-log.js";
import { makeLog, pairs } from "./test-utils/log.js";

describe("filterByValue", () => {
  const log = makeLog([
    ["a", "x", 5, 1],
    ["a", "y", 3, 2],
    ["b", "x", 4, 3],
    ["b", "y", 1, 4],
  ]);
  it("keeps an inclusive interval and counts drops", () => {
    const r = filterByValue(log, { field: "rating", min: 4 });
    expect(pairs(r.log)).toEqual(["a:x", "b:x"]);
    expect(r.dropped).toBe(2);
    expect(pairs(filterByValue(log, { field: "timestamp", min: 2, max: 3 }).log)).toEqual(["a:y", "b:x"]);
  });
  it("rejects a missing column and an empty interval", () => {
    expect(() =>
      filterByValue(makeLog([["a", "x"]], { rating: false, timestamp: false }), { field: "rating", min: 4 }),
    ).toThrow(ConfigError);
    expect(() => filterByValue(log, { field: "rating", min: 5, max: 4 })).toThrow(/empty interval/);
  });
});

describe("removeDuplicates", () => {
  const log = makeLog([
    ["a", "x", 1, 30],
    ["a", "x", 2, 10],
    ["b", "x", 3, 5],
    ["a", "x", 4, 10],
    ["a", "y", 5, 1],
  ]);
  it("keeps the earliest by timestamp, ties by input order", () => {
    const r = removeDuplicates(log, "first");
    expect(r.dropped).toBe(2);
    expect(Array.from(r.log.rating!)).toEqual([2, 3, 5]);
  });
  it("keeps the latest by timestamp, ties by input order", () => {
    expect(Array.from(removeDuplicates(log, "last").log.rating!)).toEqual([1, 3, 5]);
    const tie = makeLog([
      ["a", "x", 1, 10],
      ["a", "x", 2, 10],
    ]);
    expect(Array.from(removeDuplicates(tie, "last").log.rating!)).toEqual([2]);
    expect(Array.from(removeDuplicates(tie, "first").log.rating!)).toEqual([1]);
  });
  it("uses input order without timestamps", () => {
    const plain = makeLog(
      [
        ["a", "x", 1],
        ["a", "x", 2],
      ],
      { rating: true, timestamp: false },
    );
    expect(Array.from(removeDuplicates(plain, "last").log.rating!)).toEqual([2]);
  });
});

describe("kCore", () => {
  it("iterates until stable (a removal cascades)", () => {
    // 2-core: round 1 drops u3 (1 item), round 2 item z (now 1 user), round 3 u2 (now 1 item).
    const log = makeLog([
      ["u1", "x"],
      ["u1", "y"],
      ["u4", "x"],
      ["u4", "y"],
      ["u2", "y"],
      ["u2", "z"],
      ["u3", "z"],
    ]);
    const r = kCore(log, { user: 2, item: 2 });
    expect(pairs(r.log).sort()).toEqual(["u1:x", "u1:y", "u4:x", "u4:y"]);
    expect(r.dropped).toBe(3);
    expect(r.rounds).toBe(3); // u3, then item z, then u2
    const again = kCore(r.log, { user: 2, item: 2 });
    expect([again.dropped, again.rounds]).toEqual([0, 0]);
  });
  it("takes separate user and item thresholds", () => {
    const log = makeLog([
      ["u1", "x"],
      ["u1", "y"],
      ["u2", "x"],
    ]);
    expect(pairs(kCore(log, { user: 1, item: 2 }).log)).toEqual(["u1:x", "u2:x"]);
    expect(pairs(kCore(log, { user: 2, item: 1 }).log)).toEqual(["u1:x", "u1:y"]);
    expect(() => kCore(log, { user: 1.5, item: 1 })).toThrow(/kCore\.user/);
  });
});

describe("filterInteractions", () => {
  it("runs the stages, logs every drop, and compacts ids keeping the original vocabularies", () => {
    const log = makeLog([
      ["u1", "x", 5, 1],
      ["u1", "y", 4, 2],
      ["u2", "x", 4, 3],
      ["u2", "y", 5, 4],
      ["u3", "x", 1, 5],
      ["u1", "x", 5, 6],
      ["u4", "z", 5, 7],
    ]);
    const logger = new RecordingLogger();
    const { log: out, stats } = filterInteractions(log, { minRating: 4, kCore: 2, logger });
    expect(stats.map((s) => [s.stage, s.users, s.items, s.interactions, s.dropped])).toEqual([
      ["raw", 4, 3, 7, 0],
      ["rating >= 4", 3, 3, 6, 1],
      ["duplicates (keep first)", 3, 3, 5, 1],
      ["iterative 2-core", 2, 2, 4, 1],
    ]);
    expect(stats[3].density).toBe(1);
    expect(logger.records.map((r) => r.message)).toHaveLength(4);
    expect(out.users.toArray()).toEqual(["u1", "u2"]);
    expect(out.items.toArray()).toEqual(["x", "y"]);
    expect(Array.from(out.user)).toEqual([0, 0, 1, 1]);
    expect(computeStats(out, "x").users).toBe(2);
  });
  it("names the stage that leaves nothing", () => {
    const log = makeLog([
      ["u1", "x", 2, 1],
      ["u2", "y", 5, 1],
    ]);
    expect(() => filterInteractions(log, { minRating: 6 })).toThrow(EmptyDatasetError);
    expect(() => filterInteractions(log, { minRating: 6 })).toThrow(/nothing left after filter stage "rating >= 6"/);
    expect(() => filterInteractions(log, { kCore: 5 })).toThrow(/"iterative 5-core"/);
  });
  it("compactLog drops unused vocabulary entries", () => {
    const log = filterByValue(
      makeLog([
        ["a", "x", 1, 1],
        ["b", "y", 5, 1],
      ]),
      { field: "rating", min: 4 },
    ).log;
    expect(log.users.size).toBe(2);
    const c = compactLog(log);
    expect([c.users.toArray(), c.items.toArray(), Array.from(c.user)]).toEqual([["b"], ["y"], [0]]);
  });
});

describe("missing values", () => {
  const NaN_ = Number.NaN;
  it("a missing rating fails the value filter, and the stage counts those", () => {
    const log = makeLog([
      ["u1", "x", 5, 1],
      ["u1", "y", NaN_, 2],
      ["u2", "x", 2, 3],
    ]);
    const r = filterByValue(log, { field: "rating", min: 4 });
    expect([pairs(r.log), r.dropped, r.missing]).toEqual([["u1:x"], 2, 1]);
    const logger = new RecordingLogger();
    const { stats } = filterInteractions(log, { minRating: 4, logger });
    expect(stats[1]).toMatchObject({ stage: "rating >= 4", dropped: 2, missing: 1 });
    expect(logger.records[1].message).toBe(
      "rating >= 4: 1 users, 1 items, 1 interactions (dropped 2, 1 of them without a value)",
    );
  });

  it("names the value stage after the column it filters", () => {
    const builder = new InteractionLogBuilder({ rating: true, timestamp: false, ratingField: "play_count" });
    builder.add("u", "a", 10);
    builder.add("u", "b", 2);
    const { stats } = filterInteractions(builder.build(), { minRating: 5 });
    expect(stats.map((s) => s.stage)).toEqual(["raw", "play_count >= 5", "duplicates (keep first)"]);
  });

  it("duplicates: a missing timestamp counts as later than any present one", () => {
    const log = makeLog([
      ["u", "x", 1, NaN_],
      ["u", "x", 2, 50],
      ["u", "x", 3, NaN_],
      ["u", "x", 4, 10],
    ]);
    expect(Array.from(removeDuplicates(log, "first").log.rating!)).toEqual([4]);
    expect(Array.from(removeDuplicates(log, "last").log.rating!)).toEqual([3]);
  });

  it("requireTimestamp drops interactions without one, in a stage shown only when it drops some", () => {
    const log = makeLog([
      ["u1", "x", 5, 1],
      ["u1", "y", 5, NaN_],
      ["u2", "x", 5, 3],
    ]);
    const { stats } = filterInteractions(log, { requireTimestamp: true, duplicates: "keep" });
    expect(stats.map((s) => [s.stage, s.interactions, s.dropped])).toEqual([
      ["raw", 3, 0],
      ["timestamp present", 2, 1],
    ]);
    const complete = makeLog([["u1", "x", 5, 1]]);
    expect(filterInteractions(complete, { requireTimestamp: true }).stats.map((s) => s.stage)).toEqual([
      "raw",
      "duplicates (keep first)",
    ]);
  });

  it("EmptyDatasetError carries every stage up to the empty one", () => {
    const log = makeLog([["u1", "x", 5, 1]]);
    const error = (() => {
      try {
        filterInteractions(log, { minRating: 4, kCore: 2 });
      } catch (e) {
        return e as EmptyDatasetError;
      }
    })();
    expect(error?.stats.map((s) => [s.stage, s.interactions])).toEqual([
      ["raw", 1],
      ["rating >= 4", 1],
      ["duplicates (keep first)", 1],
      ["iterative 2-core", 0],
    ]);
  });
});
