import { describe, expect, it } from "vitest";
import { ConfigError, RecordingLogger, Vocab } from "@llminit/core";
import { buildItemTexts, parseTemplate, renderItemText } from "./item-text.js";

describe("item text templates", () => {
  const t = parseTemplate("{title}. {categories}. {brand}");

  it("parses literals and placeholders", () => {
    expect(t).toEqual({ prefix: "", fields: ["title", "categories", "brand"], separators: [". ", ". "], suffix: "" });
    expect(parseTemplate("Item: {a} {{b}}.").suffix).toBe(" {b}.");
  });

  it("drops missing fields cleanly", () => {
    expect(renderItemText(t, { title: "Pen", categories: "Office", brand: "Bic" })).toBe("Pen. Office. Bic");
    expect(renderItemText(t, { title: "Pen", brand: "Bic" })).toBe("Pen. Bic");
    expect(renderItemText(t, { categories: "Office", brand: " " })).toBe("Office");
    expect(renderItemText(t, { brand: "Bic" })).toBe("Bic");
    expect(renderItemText(t, {})).toBe("");
    expect(renderItemText(t, undefined)).toBe("");
  });

  it("does not double punctuation and normalises whitespace", () => {
    expect(renderItemText(t, { title: "Pens.", brand: "Bic\n Co" })).toBe("Pens. Bic Co");
    expect(renderItemText(parseTemplate("{a}."), { a: "Done." })).toBe("Done.");
  });

  it("rejects malformed templates", () => {
    expect(() => parseTemplate("{title")).toThrow(ConfigError);
    expect(() => parseTemplate("title}")).toThrow(/unmatched/);
    expect(() => parseTemplate("no fields")).toThrow(/no \{field\}/);
    expect(() => parseTemplate("{}")).toThrow(/bad placeholder/);
  });

  it("builds texts aligned with the item vocabulary and logs empty ones", () => {
    const items = Vocab.from(["b", "a", "c"]);
    const features = new Map<string, Record<string, string>>([
      ["a", { title: "A" }],
      ["b", { brand: "B" }],
      ["c", { other: "x" }],
    ]);
    const logger = new RecordingLogger();
    expect(buildItemTexts(items, features, "{title}. {brand}", logger)).toEqual(["B", "A", ""]);
    expect(logger.records[0].fields).toMatchObject({ empty: 1, noFeatures: 0 });
  });
});
