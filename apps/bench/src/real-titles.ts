import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@llminit/core";
import { readAtomicItems } from "@llminit/data";
import { createEncoder, encodeCatalog } from "@llminit/encoders";

/** Item texts built from the real datasets' item files, and what they were built from. */
export interface RealTitles {
  texts: string[];
  source: string;
}

/**
 * At least ~14 k distinct, real-looking item texts from the two real datasets' item files
 * (nothing invented: only their titles, years, genres, categories and brands, recombined).
 * Amazon Office-Products (2,420 items: "title + leaf category + brand" as one text): the text,
 * its first 8 words (about the bare title), and the text prefixed with "Office Products:".
 * MovieLens-100K (1,682 movies): "title", "title (year)", "title, genres" and
 * "title (year): genres". Deduplicated, in that order. Empty when a file is missing.
 */
export async function buildRealTitles(dataDir: string): Promise<RealTitles> {
  const office = join(dataDir, "amazon-office-products", "amazon-office-products.item");
  const movies = join(dataDir, "ml-100k", "ml-100k.item");
  const texts = new Set<string>();
  const used: string[] = [];
  if (existsSync(office)) {
    const items = await readAtomicItems(office);
    for (const record of items.values()) {
      const text = (record.text ?? "").trim();
      if (text === "") continue;
      texts.add(text);
      texts.add(text.split(/\s+/).slice(0, 8).join(" "));
      texts.add(`Office Products: ${text}`);
    }
    used.push(`${office} (${items.size} items: text, first 8 words, "Office Products: " + text)`);
  }
  if (existsSync(movies)) {
    const items = await readAtomicItems(movies);
    for (const record of items.values()) {
      const title = (record.movie_title ?? "").trim();
      if (title === "") continue;
      const year = record.release_year ?? "";
      const genres = (record.class ?? "").trim().split(/\s+/).join(", ");
      texts.add(title);
      if (year !== "") texts.add(`${title} (${year})`);
      if (genres !== "") texts.add(`${title}, ${genres}`);
      if (year !== "" && genres !== "") texts.add(`${title} (${year}): ${genres}`);
    }
    used.push(`${movies} (${items.size} movies: title, title (year), title + genres, title (year): genres)`);
  }
  return { texts: [...texts], source: used.join("; ") };
}

/** use-lite throughput on `texts`: one encodeCatalog call with an empty temporary cache. */
export async function measureUseLite(
  texts: readonly string[],
): Promise<{ encoder: string; items: number; itemsPerSecond: number; seconds: number; threads: string }> {
  const cacheDir = await mkdtemp(join(tmpdir(), "llminit-titles-cache-"));
  const encoder = await createEncoder("use-lite", { logger: silentLogger });
  try {
    const items = texts.map((text, k) => ({ id: String(k), text }));
    const t0 = performance.now();
    const result = await encodeCatalog(encoder, items, { cacheDir, logger: silentLogger });
    return {
      encoder: encoder.id,
      items: result.encoded,
      itemsPerSecond: result.itemsPerSecond,
      seconds: (performance.now() - t0) / 1000,
      threads: "default (cores, at most 4)",
    };
  } finally {
    await encoder.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  }
}
