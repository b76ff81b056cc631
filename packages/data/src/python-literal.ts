/** A value of a Python literal: dicts become plain objects (keys as strings), tuples and lists arrays. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

/** A syntax error in a Python literal, with the 0-based character offset. */
export class PythonLiteralError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at character ${offset + 1}`);
    this.name = "PythonLiteralError";
    this.offset = offset;
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  a: "\x07",
  "0": "\0",
};

/**
 * Parses one Python literal expression safely (no evaluation): dicts, lists, tuples, strings
 * in both quote styles with escapes (and `u`/`b`/`r` prefixes, adjacent strings concatenated),
 * ints, floats, True/False/None. The Amazon 2014 metadata lines are such dicts.
 * Throws {@link PythonLiteralError} on anything else.
 */
export function parsePythonLiteral(text: string): PyValue {
  let pos = 0;
  const skip = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else break;
    }
  };
  const fail = (message: string): never => {
    throw new PythonLiteralError(message, pos);
  };
  const parseString = (): string => {
    let raw = false;
    while (pos < text.length && /[uUbBrR]/.test(text[pos])) {
      if (text[pos] === "r" || text[pos] === "R") raw = true;
      pos++;
    }
    const q = text[pos];
    if (q !== "'" && q !== '"') fail("expected a string");
    const triple = text.startsWith(q + q + q, pos);
    const close = triple ? q + q + q : q;
    pos += close.length;
    let out = "";
    const special = triple ? /[\\'"]/g : /[\\'"\n]/g;
    for (;;) {
      special.lastIndex = pos;
      const found = special.exec(text);
      if (found === null) {
        pos = text.length;
        return fail("unterminated string");
      }
      out += text.slice(pos, found.index);
      pos = found.index;
      if (text.startsWith(close, pos)) {
        pos += close.length;
        return out;
      }
      const c = text[pos];
      if (c === "\n") fail("line break in string");
      if (c !== "\\") {
        out += c;
        pos++;
        continue;
      }
      const e = text[pos + 1];
      if (e === undefined) fail("unterminated string");
      if (raw) {
        out += c + e;
        pos += 2;
        continue;
      }
      if (e === "x" || e === "u" || e === "U") {
        const width = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = text.slice(pos + 2, pos + 2 + width);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) fail(`bad \\${e} escape`);
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) fail("code point out of range");
        out += String.fromCodePoint(code);
        pos += 2 + width;
      } else if (e >= "0" && e <= "7") {
        const match = /^[0-7]{1,3}/.exec(text.slice(pos + 1, pos + 4))!;
        out += String.fromCharCode(parseInt(match[0], 8));
        pos += 1 + match[0].length;
      } else if (e === "\n") {
        pos += 2;
      } else if (SIMPLE_ESCAPES[e] !== undefined) {
        out += SIMPLE_ESCAPES[e];
        pos += 2;
      } else {
        out += c + e; // Python keeps unknown escapes verbatim.
        pos += 2;
      }
    }
  };
  const parseSequence = (end: string): PyValue[] => {
    const items: PyValue[] = [];
    skip();
    while (text[pos] !== end) {
      items.push(parseValue());
      skip();
      if (text[pos] === ",") {
        pos++;
        skip();
      } else if (text[pos] !== end) fail(`expected "," or "${end}"`);
    }
    pos++;
    return items;
  };
  const parseValue = (): PyValue => {
    skip();
    const c = text[pos];
    if (c === undefined) fail("unexpected end of input");
    if (c === "{") {
      pos++;
      const dict: { [key: string]: PyValue } = {};
      skip();
      while (text[pos] !== "}") {
        const key = parseValue();
        if (key !== null && typeof key === "object") fail("unsupported dict key");
        skip();
        if (text[pos] !== ":") fail('expected ":"');
        pos++;
        Object.defineProperty(dict, String(key), {
          value: parseValue(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skip();
        if (text[pos] === ",") {
          pos++;
          skip();
        } else if (text[pos] !== "}") fail('expected "," or "}"');
      }
      pos++;
      return dict;
    }
    if (c === "[") {
      pos++;
      return parseSequence("]");
    }
    if (c === "(") {
      pos++;
      return parseSequence(")");
    }
    if (c === "'" || c === '"' || (/[uUbBrR]/.test(c) && /^[uUbBrR]{1,2}['"]/.test(text.slice(pos, pos + 3)))) {
      let s = parseString();
      for (;;) {
        const save = pos;
        skip();
        const n = text[pos];
        if (n === "'" || n === '"' || (n !== undefined && /^[uUbBrR]{1,2}['"]/.test(text.slice(pos, pos + 3))))
          s += parseString();
        else {
          pos = save;
          return s;
        }
      }
    }
    const word = /^(?:True|False|None)\b/.exec(text.slice(pos, pos + 6));
    if (word !== null) {
      pos += word[0].length;
      return word[0] === "True" ? true : word[0] === "False" ? false : null;
    }
    const num = /^[+-]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJlL]?/.exec(text.slice(pos, pos + 64));
    if (num !== null && num[0].length > 0) {
      const body = num[0].replace(/_/g, "").replace(/[lL]$/, "");
      if (/[jJ]$/.test(body)) fail("complex numbers are not supported");
      pos += num[0].length;
      return Number(body);
    }
    return fail(`unexpected character "${c}"`);
  };
  const value = parseValue();
  skip();
  if (pos < text.length) fail("trailing characters after the literal");
  return value;
}
