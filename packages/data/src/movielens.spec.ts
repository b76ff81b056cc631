import { afterAll, describe, expect, it } from "vitest";
import { readMovieLens100k, readMovieLens1m } from "./movielens.js";
import { tempDir } from "./test-utils/fixtures.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const flags = (on: number[]) => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? "1" : "0")).join("|");

describe("MovieLens raw readers", () => {
  it("reads ml-100k u.data + latin1 u.item with genre flags", async () => {
    tmp.write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
    tmp.write(
      "u.item",
      Buffer.from(
        `242|Kolya (1996)|24-Jan-1997||http://x|${flags([8])}\n302|L.A. Confidential (1997)|01-Jan-1997||http://y|${flags([6, 10, 16])}\n267|Caf\xe9 unknown||||${flags([0])}\n`,
        "latin1",
      ),
    );
    const { log, items } = await readMovieLens100k(tmp.dir);
    expect(log.length).toBe(2);
    expect(Array.from(log.timestamp!)).toEqual([881250949, 891717742]);
    expect(items.get("242")).toEqual({ movie_title: "Kolya", release_year: "1996", class: "Drama" });
    expect(items.get("302")).toEqual({
      movie_title: "L.A. Confidential",
      release_year: "1997",
      class: "Crime Film-Noir Thriller",
    });
    expect(items.get("267")).toEqual({ movie_title: "Café unknown", class: "unknown" });
  });

  it("rejects a bad genre flag with line and field", async () => {
    const t = tempDir();
    t.write("u.data", "1\t1\t5\t1\n");
    t.write("u.item", `1|A (1990)|||x|${flags([]).replace(/^0/, "2")}\n`);
    await expect(readMovieLens100k(t.dir)).rejects.toMatchObject({ line: 1, field: "unknown" });
    t.cleanup();
  });

  it("reads ml-1m ratings.dat + movies.dat with :: separators", async () => {
    const t = tempDir();
    t.write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
    t.write(
      "movies.dat",
      Buffer.from(
        "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n",
        "latin1",
      ),
    );
    const { log, items } = await readMovieLens1m(t.dir);
    expect(log.items.toArray()).toEqual(["1193", "661"]);
    expect(items.get("661")).toEqual({
      movie_title: "James and the Giant Peach",
      release_year: "1996",
      class: "Animation Children's Musical",
    });
    t.write("movies.dat", "1::only two\n");
    await expect(readMovieLens1m(t.dir)).rejects.toMatchObject({ line: 1 });
    t.cleanup();
  });
});
