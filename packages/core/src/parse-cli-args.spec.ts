import { describe, expect, it } from "vitest";
import { flagName, parseCliArgs } from "./parse-cli-args.js";

const flags = [
  { key: "dataDir" },
  { key: "epochs" },
  { key: "normalize", boolean: true },
  { key: "json", boolean: true },
];

describe("parseCliArgs", () => {
  it("reads both value forms, booleans and negations", () => {
    const parsed = parseCliArgs(["run", "--data-dir", "/d", "--epochs=3", "--no-normalize", "--json"], flags);
    expect(parsed.positionals).toEqual(["run"]);
    expect(parsed.values).toEqual({ dataDir: "/d", epochs: "3", normalize: "false", json: true });
  });

  it("names unknown flags and suggests the closest", () => {
    expect(() => parseCliArgs(["--epoch", "3"], flags)).toThrow(/unknown option --epoch \(did you mean --epochs\?\)/);
    expect(() => parseCliArgs(["--zzz"], flags)).toThrow(/unknown option --zzz$/);
  });

  it("requires values", () => {
    expect(() => parseCliArgs(["--epochs"], flags)).toThrow(/--epochs needs a value/);
    expect(() => parseCliArgs(["--epochs", "--json"], flags)).toThrow(/--epochs needs a value/);
  });

  it("maps camelCase keys to kebab-case flags", () => {
    expect(flagName("learningRate")).toBe("learning-rate");
  });
});
