import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, createRng, csrNnz, RecordingLogger } from "@llminit/core";
import type { DataIssue } from "./data-issues.js";
import { prepareDataset } from "./prepare-dataset.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/**
 * A play-count dataset by construction: user u is a fan of artists u … u+5 (mod 20; 5 to 40 plays), a casual
 * listener of u+6 … u+8 (1 to 4 plays), and even users have one more row with the count left empty. After
 * `play_count >= 5` every user keeps 6 artists and every artist 9 fans, so a 5-core drops nothing more.
 */
function writePlayCounts(name: string): { dir: string; fans: number; casual: number; empty: number } {
  const users = 30;
  const artists = 20;
  const lines = ["user_id:token\titem_id:token\tplay_count:float\ttimestamp:float"];
  let fans = 0;
  let casual = 0;
  let empty = 0;
  let time = 1000;
  for (let u = 0; u < users; u++) {
    for (let j = 0; j < 6; j++, fans++) lines.push(`user${u}\tartist${(u + j) % artists}\t${5 + j * 7}\t${time++}`);
    for (let j = 0; j < 3; j++, casual++) lines.push(`user${u}\tartist${(u + 6 + j) % artists}\t${1 + j}\t${time++}`);
    if (u % 2 === 0) {
      lines.push(`user${u}\tartist${(u + 9) % artists}\t\t${time++}`);
      empty++;
    }
  }
  tmp.write(`${name}/${name}.inter`, `${lines.join("\n")}\n`);
  const items = ["item_id:token\tname:token_seq"];
  for (let a = 0; a < artists; a++) items.push(`artist${a}\tBand number ${a}`);
  tmp.write(`${name}/${name}.item`, `${items.join("\n")}\n`);
  return { dir: join(tmp.dir, name), fans, casual, empty };
}

describe("implicit feedback", () => {
  it("a dataset without a rating column runs with the rating filter off, after exactly one notice", async () => {
    const { dir, fans, casual, empty } = writePlayCounts("plays");
    // Drop the play counts: a pure implicit dataset (who listened to what).
    const implicit = tmp.write(
      "implicit/implicit.inter",
      readFileSync(join(dir, "plays.inter"), "utf8")
        .split("\n")
        .map((line) =>
          line
            .split("\t")
            .filter((_, c) => c !== 2)
            .join("\t"),
        )
        .join("\n"),
    );
    tmp.write("implicit/implicit.item", readFileSync(join(dir, "plays.item")));
    const logger = new RecordingLogger();
    const issues: DataIssue[] = [];
    const prepared = await prepareDataset(join(implicit, ".."), {
      rng: createRng(1),
      logger,
      onIssue: (i) => issues.push(i),
    });
    const notices = logger.records.filter((r) => /no "rating" column/.test(r.message));
    expect(notices).toHaveLength(1);
    expect(notices[0].message).toBe(
      'dataset "implicit" has no "rating" column: read as implicit feedback, the rating filter (minRating 4) is off; ' +
        "ratingField can name another numeric column to filter on",
    );
    expect(issues.map((i) => i.kind)).toEqual(["no-rating-column"]);
    expect(prepared.stats.map((s) => s.stage)).toEqual(["raw", "duplicates (keep first)", "iterative 5-core"]);
    expect(prepared.stats[0].interactions).toBe(fans + casual + empty);

    const quiet = new RecordingLogger();
    await prepareDataset(join(implicit, ".."), { rng: createRng(1), logger: quiet, minRating: null });
    expect(quiet.records.filter((r) => r.level === "warn")).toHaveLength(0);

    // A threshold asked for explicitly cannot apply: an error, not a silent notice.
    const explicit = await prepareDataset(join(implicit, ".."), { rng: createRng(1), minRating: 4 }).catch(
      (e: unknown) => e,
    );
    expect(explicit).toBeInstanceOf(ConfigError);
    expect((explicit as Error).message).toMatch(
      /^option "--min-rating": 4 cannot apply: dataset "implicit" has no "rating" column \(implicit feedback\); give --rating-field NAME/,
    );
  });

  it("thresholds any numeric column: play_count >= 5, a missing count failing it", async () => {
    const { dir, fans, casual, empty } = writePlayCounts("lastfm-like");
    const issues: DataIssue[] = [];
    const prepared = await prepareDataset(dir, {
      rng: createRng(2020),
      ratingField: "play_count",
      minRating: 5,
      onIssue: (i) => issues.push(i),
    });
    expect(prepared.stats.map((s) => [s.stage, s.users, s.items, s.interactions, s.dropped, s.missing])).toEqual([
      ["raw", 30, 20, fans + casual + empty, 0, undefined],
      ["play_count >= 5", 30, 20, fans, casual + empty, empty],
      ["duplicates (keep first)", 30, 20, fans, 0, undefined],
      ["iterative 5-core", 30, 20, fans, 0, undefined],
    ]);
    expect(csrNnz(prepared.split.train) + csrNnz(prepared.split.valid) + csrNnz(prepared.split.test)).toBe(fans);
    expect(issues).toMatchObject([{ kind: "missing-value", field: "play_count", count: empty, line: 11 }]);
    expect(prepared.itemTexts[0]).toMatch(/^Band number \d+$/);
  });

  it("a named rating field that does not exist is an error naming the file and its columns", async () => {
    const { dir } = writePlayCounts("named");
    const error = await prepareDataset(dir, { rng: createRng(1), ratingField: "plays" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `option "--rating-field": no column "plays" in ${join(dir, "named.inter")} ` +
        "(its columns: user_id, item_id, play_count, timestamp)",
    );
  });

  it("a rating field that is an id column is refused", async () => {
    const { dir } = writePlayCounts("ids");
    await expect(prepareDataset(dir, { rng: createRng(1), ratingField: "item_id" })).rejects.toThrow(
      /^option "--rating-field": "item_id" is the item id column of .*ids\.inter: name a numeric interaction column/,
    );
  });

  it("a split by time drops interactions without a timestamp first, in its own stage", async () => {
    const lines = ["user_id:token\titem_id:token\ttimestamp:float"];
    for (let u = 0; u < 6; u++)
      for (let i = 0; i < 6; i++) lines.push(`u${u}\ti${i}\t${u === 0 && i === 0 ? "" : 100 * i + u}`);
    tmp.write("timed/timed.inter", `${lines.join("\n")}\n`);
    const prepared = await prepareDataset(join(tmp.dir, "timed"), {
      rng: createRng(1),
      minRating: null,
      split: "temporal-loo",
    });
    expect(prepared.stats.map((s) => [s.stage, s.interactions])).toEqual([
      ["raw", 36],
      ["timestamp present", 35],
      ["duplicates (keep first)", 35],
      ["iterative 5-core", 35],
    ]);
    const test = Array.from(prepared.split.test.indices, (i) => prepared.split.items.idOf(i));
    expect(test).toEqual(Array(6).fill("i5"));
  });
});
