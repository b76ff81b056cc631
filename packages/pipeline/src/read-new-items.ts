import { basename } from "node:path";
import { DataFormatError, type Logger } from "@llminit/core";
import {
  checkIdBytes,
  forEachDelimitedRecord,
  hasInvalidBytes,
  InvalidTextTally,
  parseTemplate,
  readAtomicFile,
  renderItemText,
  replaceInvalidBytes,
  type DataIssue,
} from "@llminit/data";

/** A new item to score from its text; `source` says where it was read, for error messages. */
export interface NewItem {
  id: string;
  text: string;
  source?: { file: string; line: number };
}

const ID_FIELDS = ["item_id", "id"];

/**
 * Reads new items from a RecBole `.item` atomic file (plain or gzip) or a `.csv`/`.tsv` file with
 * a header. The id is the `item_id` column (or `id` in CSV/TSV). The text is `textTemplate` (the
 * run's) rendered over the row when the header has any of the template's fields, else the `text`
 * column. Rows with an empty id or text, repeated ids and files of another kind are
 * {@link DataFormatError}s naming the file, the line and the field. Bytes that are not UTF-8 follow
 * the dataset readers' rules: in an id they are an error naming the line (replacing them could
 * merge two ids); in text they are replaced by U+FFFD and counted in one warning.
 */
export async function readNewItems(
  file: string,
  textTemplate: string,
  options: { logger?: Logger; onIssue?: (issue: DataIssue) => void } = {},
): Promise<NewItem[]> {
  const name = basename(file).toLowerCase().replace(/\.gz$/, "");
  const template = parseTemplate(textTemplate);
  const items: NewItem[] = [];
  const seen = new Map<string, number>();
  let columns: { id: number; text: number; useTemplate: boolean; names: string[] } | undefined;
  const invalid = new InvalidTextTally();

  const header = (names: string[]) => {
    const id = names.findIndex((n) => ID_FIELDS.includes(n));
    if (id < 0)
      throw new DataFormatError(
        { file, line: 1, field: ID_FIELDS[0] },
        `no item id column: expected ${ID_FIELDS.join(" or ")} in the header (${names.join(", ")})`,
      );
    const useTemplate = template.fields.some((f) => names.includes(f));
    const text = names.indexOf("text");
    if (!useTemplate && text < 0)
      throw new DataFormatError(
        { file, line: 1 },
        `no text: the header (${names.join(", ")}) has neither a "text" column nor any field of the run's item-text ` +
          `template "${textTemplate}"`,
      );
    columns = { id, text, useTemplate, names };
  };
  const row = (values: string[], line: number, invalidUtf8: boolean) => {
    const { id: idColumn, text: textColumn, useTemplate, names } = columns!;
    const id = values[idColumn].trim();
    if (id === "") throw new DataFormatError({ file, line, field: names[idColumn] }, "empty item id");
    if (invalidUtf8) {
      checkIdBytes(id, { file, line, field: names[idColumn] });
      values = values.map((value, c) => {
        if (c === idColumn || !hasInvalidBytes(value)) return value;
        invalid.add(names[c], line);
        return replaceInvalidBytes(value);
      });
    }
    const first = seen.get(id);
    if (first !== undefined)
      throw new DataFormatError(
        { file, line, field: names[idColumn] },
        `duplicate item id "${id}" (first on line ${first})`,
      );
    seen.set(id, line);
    let text: string;
    if (useTemplate) {
      const record: Record<string, string> = {};
      names.forEach((n, c) => (record[n] = values[c]));
      text = renderItemText(template, record);
    } else {
      text = values[textColumn].replace(/\s+/g, " ").trim();
    }
    if (text === "")
      throw new DataFormatError(
        { file, line, field: useTemplate ? template.fields.join("+") : "text" },
        `item "${id}" has an empty text`,
      );
    items.push({ id, text, source: { file, line } });
  };

  if (name.endsWith(".item")) {
    await readAtomicFile(file, (values, line, fields, invalidUtf8) => {
      if (columns === undefined) header(fields.map((f) => f.name));
      row(values, line, invalidUtf8);
    }).then((fields) => {
      if (columns === undefined) header(fields.map((f) => f.name));
    });
  } else if (name.endsWith(".csv") || name.endsWith(".tsv")) {
    const delimiter = name.endsWith(".tsv") ? "\t" : ",";
    await forEachDelimitedRecord(file, { delimiter }, (values, start, invalidUtf8) => {
      if (values.every((value) => value.trim() === "")) return;
      if (columns === undefined) {
        header(values.map((v, c) => (c === 0 ? v.replace(/^\uFEFF/, "") : v).trim()));
        return;
      }
      if (values.length !== columns.names.length)
        throw new DataFormatError(
          { file, line: start },
          `expected ${columns.names.length} fields separated by ${JSON.stringify(delimiter)} (${columns.names.join(", ")}), found ${values.length}`,
        );
      row(values, start, invalidUtf8);
    });
    if (columns === undefined) throw new DataFormatError({ file, line: 1 }, "empty file: no header line");
  } else {
    const hint = name.endsWith(".inter") ? "an interaction file; " : "";
    throw new DataFormatError(
      { file },
      `${hint}expected an item file: RecBole atomic .item (item_id:token + text fields) or .csv/.tsv with a header`,
    );
  }
  if (items.length === 0) throw new DataFormatError({ file }, "no items in the file");
  invalid.report(options, file);
  return items;
}
