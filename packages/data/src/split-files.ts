import { csrFromPairs, DataFormatError, Vocab } from "@llminit/core";
import { readAtomicFile } from "./atomic-file.js";
import type { ReadOptions } from "./data-issues.js";
import { checkIdBytes, quoteValue } from "./text-bytes.js";
import type { Split } from "./split.js";

/**
 * Paths of a predefined split as RecBole atomic `.inter` files (e.g. `x.train.inter`, `x.valid.inter`,
 * `x.test.inter`).
 */
export interface SplitFiles {
  train: string;
  valid: string;
  test: string;
}

/**
 * Reads a predefined split. Users and items are numbered in order of first appearance in
 * the train file, unless `users` / `items` vocabularies are given (then every id must be in them).
 * An id in the valid or test file that is not known (from train or the given vocabularies)
 * is a {@link DataFormatError} naming the file, line and field. Repeated pairs within a part are merged.
 */
export async function readSplitFiles(
  files: SplitFiles,
  options: ReadOptions & { users?: Vocab; items?: Vocab; userField?: string; itemField?: string } = {},
): Promise<Split> {
  const userField = options.userField ?? "user_id";
  const itemField = options.itemField ?? "item_id";
  const users = options.users ?? new Vocab();
  const items = options.items ?? new Vocab();
  const fixedUsers = options.users !== undefined;
  const fixedItems = options.items !== undefined;
  const parts: { rows: number[]; cols: number[] }[] = [];
  for (const part of ["train", "valid", "test"] as const) {
    const file = files[part];
    const rows: number[] = [];
    const cols: number[] = [];
    let uc = -1;
    let ic = -1;
    const header = await readAtomicFile(
      file,
      (values, line, fields, invalidUtf8) => {
        if (uc < 0) {
          uc = fields.findIndex((f) => f.name === userField);
          ic = fields.findIndex((f) => f.name === itemField);
          if (uc < 0 || ic < 0)
            throw new DataFormatError(
              { file, line: 1, field: uc < 0 ? userField : itemField },
              "column missing from the header",
            );
        }
        const id = (vocab: Vocab, fixed: boolean, value: string, field: string, what: string): number => {
          if (invalidUtf8) checkIdBytes(value, { file, line, field });
          const known = vocab.get(value);
          if (known !== undefined) return known;
          if (fixed || part !== "train")
            throw new DataFormatError(
              { file, line, field },
              `unknown ${what} id ${quoteValue(value)} (not in ${fixed ? "the given vocabulary" : "the train file"})`,
            );
          return vocab.add(value);
        };
        rows.push(id(users, fixedUsers, values[uc], userField, "user"));
        cols.push(id(items, fixedItems, values[ic], itemField, "item"));
      },
      options,
    );
    if (!header.some((f) => f.name === userField) || !header.some((f) => f.name === itemField)) {
      throw new DataFormatError(
        { file, line: 1, field: header.some((f) => f.name === userField) ? itemField : userField },
        "column missing from the header",
      );
    }
    parts.push({ rows, cols });
  }
  const [train, valid, test] = parts.map((p) => csrFromPairs(users.size, items.size, p.rows, p.cols));
  return { users, items, train, valid, test };
}
