import { describe, expect, it } from "vitest";
import { ConfigError, createRng, csrNnz, csrRow, RecordingLogger, validateCsr } from "@llminit/core";
import type { Csr } from "@llminit/core";
import { compactLog } from "./interaction-log.js";
import type { InteractionLog } from "./interaction-log.js";
import { ratioCounts, splitInteractions } from "./split.js";
import { makeLog } from "./test-utils/log.js";

function bigLog(): InteractionLog {
  const rows: [string, string, number, number][] = [];
  for (let u = 0; u < 30; u++)
    for (let i = 0; i < 3 + (u % 8); i++) rows.push([`u${u}`, `i${(u * 7 + i * 3) % 40}`, 5, 1000 + i * 10 + (u % 3)]);
  return compactLog(makeLog(rows));
}

const rowsOf = (csr: Csr) => Array.from({ length: csr.rows }, (_, r) => Array.from(csrRow(csr, r)));

describe("splitInteractions", () => {
  it("random LOO: one valid and one test item per user, disjoint, reproducible for a seed", () => {
    const log = bigLog();
    const a = splitInteractions(log, { method: "random-loo", rng: createRng(2020) });
    for (const csr of [a.train, a.valid, a.test]) validateCsr(csr);
    for (let u = 0; u < log.users.size; u++) {
      const v = csrRow(a.valid, u);
      const t = csrRow(a.test, u);
      expect([v.length, t.length]).toEqual([1, 1]);
      expect(v[0]).not.toBe(t[0]);
      expect(Array.from(csrRow(a.train, u))).not.toContain(t[0]);
    }
    expect(csrNnz(a.train) + csrNnz(a.valid) + csrNnz(a.test)).toBe(log.length);
    const b = splitInteractions(log, { method: "random-loo", rng: createRng(2020) });
    expect(rowsOf(b.test)).toEqual(rowsOf(a.test));
    const c = splitInteractions(log, { method: "random-loo", rng: createRng(7) });
    expect(rowsOf(c.test)).not.toEqual(rowsOf(a.test));
  });

  it("LOO keeps users with fewer than 3 interactions in train, and logs them", () => {
    const log = compactLog(
      makeLog([
        ["a", "x", 5, 1],
        ["a", "y", 5, 2],
        ["b", "x", 5, 1],
        ["b", "y", 5, 2],
        ["b", "z", 5, 3],
      ]),
    );
    const logger = new RecordingLogger();
    const s = splitInteractions(log, { method: "temporal-loo", rng: createRng(1), logger });
    expect(rowsOf(s.train)).toEqual([[0, 1], [0]]);
    expect(rowsOf(s.valid)).toEqual([[], [1]]);
    expect(rowsOf(s.test)).toEqual([[], [2]]);
    expect(logger.records.find((r) => r.level === "warn")?.fields).toEqual({ users: 1 });
  });

  it("temporal LOO: latest is test, next is valid; ties broken by input order", () => {
    const log = compactLog(
      makeLog([
        ["a", "w", 5, 30],
        ["a", "x", 5, 10],
        ["a", "y", 5, 30],
        ["a", "z", 5, 20],
      ]),
    );
    const s = splitInteractions(log, { method: "temporal-loo", rng: createRng(1) });
    const id = (csr: Csr) => Array.from(csrRow(csr, 0)).map((i) => log.items.idOf(i));
    expect(id(s.test)).toEqual(["y"]);
    expect(id(s.valid)).toEqual(["w"]);
    expect(id(s.train).sort()).toEqual(["x", "z"]);
  });

  it("ratio split by time: earliest part train, then valid, then test", () => {
    const rows: [string, string, number, number][] = [];
    for (let i = 0; i < 10; i++) rows.push(["a", `i${i}`, 5, 100 - i]);
    const log = compactLog(makeLog(rows));
    const s = splitInteractions(log, { method: "ratio", ratios: [8, 1, 1], order: "time", rng: createRng(1) });
    const id = (csr: Csr) => Array.from(csrRow(csr, 0)).map((i) => log.items.idOf(i));
    expect(id(s.test)).toEqual(["i0"]);
    expect(id(s.valid)).toEqual(["i1"]);
    expect(csrNnz(s.train)).toBe(8);
    const random = splitInteractions(bigLog(), { method: "ratio", rng: createRng(3) });
    expect(csrNnz(random.train) + csrNnz(random.valid) + csrNnz(random.test)).toBe(bigLog().length);
  });

  it("ratioCounts follows RecBole's rounding", () => {
    expect(ratioCounts(10, [8, 1, 1])).toEqual([8, 1, 1]);
    expect(ratioCounts(5, [8, 1, 1])).toEqual([3, 1, 1]);
    expect(ratioCounts(2, [8, 1, 1])).toEqual([1, 0, 1]);
    expect(ratioCounts(1, [8, 1, 1])).toEqual([1, 0, 0]);
    expect(ratioCounts(20, [0.7, 0.2, 0.1])).toEqual([14, 4, 2]);
  });

  it("rejects bad options", () => {
    const noTime = compactLog(makeLog([["a", "x"]], { rating: false, timestamp: false }));
    expect(() => splitInteractions(noTime, { method: "temporal-loo", rng: createRng(1) })).toThrow(ConfigError);
    expect(() => splitInteractions(bigLog(), { method: "ratio", ratios: [0, 1, 1], rng: createRng(1) })).toThrow(
      /ratios/,
    );
    expect(() => splitInteractions(bigLog(), { method: "bogus" as "ratio", rng: createRng(1) })).toThrow(
      /unknown split method/,
    );
  });
});
