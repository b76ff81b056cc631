import { describe, expect, it } from "vitest";
import { checkItemTexts } from "./check-item-texts.js";

const location = { kind: "atomic" as const, dir: "/data/shop", inter: "/data/shop/shop.inter" };
const dataset = (itemTexts: string[], textTemplate = "{title}", itemFields = ["brand", "title"]) => ({
  name: "shop",
  itemTexts,
  textTemplate,
  itemFields,
  location,
});

describe("checkItemTexts", () => {
  it("accepts up to half of the texts empty, and refuses more", () => {
    expect(() => checkItemTexts(dataset(["a", "b", "", ""]), "an LLM init (--init var)")).not.toThrow();
    expect(() => checkItemTexts(dataset(["a", "", "", ""]), "an LLM init (--init var)")).toThrow(
      /option "--text-template": "\{title\}" gives an empty text for 3 of 4 items \(75 %\): those items have no value/,
    );
  });

  it("names the template fields that match no item column, and the columns there are", () => {
    expect(() => checkItemTexts(dataset(["", ""], "{titel} by {maker}"), "--cold-items")).toThrow(
      /"\{titel\} by \{maker\}" gives an empty text for 2 of 2 items \(100 %\): \{titel\}, \{maker\} are no item column \(item columns: brand, title\); --cold-items needs item text, and more than 50 % empty is refused/,
    );
  });

  it("says when the dataset has no item metadata at all", () => {
    expect(() => checkItemTexts(dataset(["", ""], "{title}", []), "an LLM init (--init uni)")).toThrow(
      /option "--dataset": shop has no item metadata \(no \.item file in \/data\/shop\), so all 2 item texts are empty/,
    );
  });
});
