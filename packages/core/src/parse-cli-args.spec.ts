import { describe, expect, it } from "vitest";
import { closestName, flagName, optionKey, parseBooleanWord, parseCliArgs, wantsHelp } from "./parse-cli-args.js";

const flags = [
  { key: "dataDir" },
  { key: "epochs" },
  { key: "normalize", boolean: true },
  { key: "json", boolean: true },
  { key: "help", boolean: true },
];

describe("parseCliArgs", () => {
  it("reads both value forms, booleans and negations", () => {
    const parsed = parseCliArgs(["run", "--data-dir", "/d", "--epochs=3", "--no-normalize", "--json"], flags, {
      positionals: true,
    });
    expect(parsed.positionals).toEqual(["run"]);
    expect(parsed.values).toEqual({ dataDir: "/d", epochs: "3", normalize: false, json: true });
  });

  it("takes every boolean form: --x, --no-x, --x=false and --x false", () => {
    const value = (...argv: string[]) => parseCliArgs(argv, flags).values.normalize;
    expect(value("--normalize")).toBe(true);
    expect(value("--no-normalize")).toBe(false);
    expect(value("--normalize=false")).toBe(false);
    expect(value("--normalize=no")).toBe(false);
    expect(value("--normalize", "false")).toBe(false);
    expect(value("--normalize", "true")).toBe(true);
    expect(value("--normalize", "--json")).toBe(true);
    expect(() => parseCliArgs(["--normalize=maybe"], flags)).toThrow(/--normalize takes true or false.*"maybe"/);
    expect(() => parseCliArgs(["--no-normalize=1"], flags)).toThrow(/--no-normalize takes no value/);
    expect(() => parseCliArgs(["--no-epochs"], flags)).toThrow(/--epochs is not a yes\/no flag/);
  });

  it("rejects stray words, naming them, unless positionals are allowed", () => {
    expect(() => parseCliArgs(["--epochs", "3", "extra"], flags)).toThrow(/unexpected argument "extra"$/);
    expect(() => parseCliArgs(["--json", "maybe"], flags)).toThrow(
      /unexpected argument "maybe" \(--json takes no value other than true or false\)/,
    );
    expect(() => parseCliArgs(["--", "x"], flags)).toThrow(/unexpected argument "x"/);
    expect(() => parseCliArgs(["-x"], flags)).toThrow(/unknown option -x/);
  });

  it("reads -h as --help anywhere", () => {
    expect(parseCliArgs(["--epochs", "3", "-h"], flags).values.help).toBe(true);
    expect(wantsHelp(["--data-dir", "x", "-h"])).toBe(true);
    expect(wantsHelp(["--help=false"])).toBe(false);
    expect(wantsHelp(["--", "-h"])).toBe(false);
  });

  it("names unknown flags and suggests the closest", () => {
    expect(() => parseCliArgs(["--epoch", "3"], flags)).toThrow(/unknown option --epoch \(did you mean --epochs\?\)/);
    expect(() => parseCliArgs(["--zzz"], flags)).toThrow(/unknown option --zzz$/);
    expect(closestName("datadir", ["data-dir", "epochs"])).toBe("data-dir");
  });

  it("refuses a flag given twice: which value was meant?", () => {
    expect(() => parseCliArgs(["--epochs", "8", "--epochs=16"], flags)).toThrow(
      /^option "--epochs": --epochs is given twice \(8, then 16\); give it once$/,
    );
    expect(() => parseCliArgs(["--normalize", "--no-normalize"], flags)).toThrow(/--normalize is given twice/);
    expect(parseCliArgs(["-h", "--help"], flags).values.help).toBe(true);
  });

  it("requires values", () => {
    expect(() => parseCliArgs(["--epochs"], flags)).toThrow(/--epochs needs a value/);
    expect(() => parseCliArgs(["--epochs", "--json"], flags)).toThrow(/--epochs needs a value/);
    expect(parseCliArgs(["--epochs", "-3"], flags).values.epochs).toBe("-3");
  });

  it("maps camelCase keys to kebab-case flags and back", () => {
    expect(flagName("learningRate")).toBe("learning-rate");
    expect(optionKey("learning-rate")).toBe("learningRate");
    expect(optionKey("dataDir")).toBe("dataDir");
    expect(parseBooleanWord(" Yes ")).toBe(true);
    expect(parseBooleanWord("nope")).toBeUndefined();
  });
});
