import { describe, expect, it } from "vitest";
import { parsePythonLiteral, PythonLiteralError } from "./python-literal.js";

describe("parsePythonLiteral", () => {
  it("parses an Amazon 2014 metadata line", () => {
    const line = `{'asin': '0000031852', 'title': "Girls' Ballet Tutu", 'price': 3.17, 'salesRank': {'Toys & Games': 211836}, 'categories': [['Sports & Outdoors', 'Other Sports', 'Dance']], 'related': {'also_bought': ['B00JHONN1S']}}`;
    expect(parsePythonLiteral(line)).toEqual({
      asin: "0000031852",
      title: "Girls' Ballet Tutu",
      price: 3.17,
      salesRank: { "Toys & Games": 211836 },
      categories: [["Sports & Outdoors", "Other Sports", "Dance"]],
      related: { also_bought: ["B00JHONN1S"] },
    });
  });

  it("handles escapes, prefixes, adjacent strings, tuples and constants", () => {
    expect(parsePythonLiteral(String.raw`'it\'s \"x\"\n\t\x41\u00e9\U0001F600\101\\'`)).toBe('it\'s "x"\n\tAé😀A\\');
    expect(parsePythonLiteral(String.raw`u'caf\xe9' "s" r'\d'`)).toBe("caf\u00e9s\\d");
    expect(parsePythonLiteral("(1, 'a', (2,), ())")).toEqual([1, "a", [2], []]);
    expect(parsePythonLiteral("[True, False, None, -1.5e3, 1_000, .5, 7L]")).toEqual([
      true,
      false,
      null,
      -1500,
      1000,
      0.5,
      7,
    ]);
    expect(parsePythonLiteral("{1: 'one', 'k': [],}")).toEqual({ 1: "one", k: [] });
    expect(parsePythonLiteral("'''a'b\nc'''")).toBe("a'b\nc");
  });

  it("does not let a __proto__ key touch the prototype", () => {
    const value = parsePythonLiteral("{'__proto__': {'polluted': 1}}") as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(["__proto__"]);
  });

  it.each([
    ["{'a': 1", /expected "," or "}"/],
    ["'abc", /unterminated string/],
    ["[1 2]", /expected "," or "\]"/],
    ["__import__('os')", /unexpected character "_"/],
    ["{'a': 1} x", /trailing characters/],
    ["1j", /complex/],
    ["", /unexpected end/],
  ])("rejects %j", (text, message) => {
    expect(() => parsePythonLiteral(text)).toThrow(PythonLiteralError);
    expect(() => parsePythonLiteral(text)).toThrow(message);
  });
});
