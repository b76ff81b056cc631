import { gzipSync } from "node:zlib";
import { DataFormatError } from "@llminit/core";
import { describe, expect, it } from "vitest";
import { readDroppedFiles } from "./parse-files.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("readDroppedFiles", () => {
  it("reads RecBole atomic files, the interactions gzip-compressed", async () => {
    const data = await readDroppedFiles([
      {
        name: "toy.inter.gz",
        bytes: gzipSync(
          bytes("user_id:token\titem_id:token\trating:float\ttimestamp:float\nu1\ti1\t5\t10\nu2\ti2\t3\t11\n"),
        ),
      },
      {
        name: "toy.item",
        bytes: bytes("item_id:token\tmovie_title:token_seq\trelease_year:token\ni1\tToy Story\t1995\n"),
      },
    ]);
    expect(data.name).toBe("toy");
    expect(data.log.length).toBe(2);
    expect(Array.from(data.log.rating ?? [])).toEqual([5, 3]);
    expect(data.features.get("i1")).toEqual({ movie_title: "Toy Story", release_year: "1995" });
    expect(data.titleField).toBe("movie_title");
    expect(data.textTemplate).toBe("{movie_title} {release_year}. {class}");
  });

  it("reads CSV with quoted fields and an items CSV, without ratings", async () => {
    const data = await readDroppedFiles([
      { name: "clicks.csv", bytes: bytes("user_id,item_id\r\na,x\r\nb,y\r\n") },
      { name: "items.csv", bytes: bytes('item_id,title\nx,"Pen, black ""fine"""\ny,Chair\n') },
    ]);
    expect(data.log.length).toBe(2);
    expect(data.log.rating).toBeUndefined();
    expect(data.features.get("x")).toEqual({ title: 'Pen, black "fine"' });
    expect(data.titleField).toBe("title");
  });

  it("names the file, line and field of a bad value", async () => {
    const error = await readDroppedFiles([
      { name: "r.csv", bytes: bytes("user,item,rating\na,x,5\nb,y,five\n") },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataFormatError);
    expect((error as DataFormatError).message).toBe(`r.csv:3 field "rating": expected a number, got "five"`);
  });

  it("says what to drop when no file has user and item columns", async () => {
    await expect(readDroppedFiles([{ name: "notes.txt", bytes: bytes("hello\nworld\n") }])).rejects.toThrow(
      /drop a RecBole \.inter file or a CSV with user_id,item_id/,
    );
  });
});
