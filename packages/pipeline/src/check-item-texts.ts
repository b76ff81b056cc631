import { ConfigError } from "@llminit/core";
import { MAX_EMPTY_TEXT_SHARE, parseTemplate, type PreparedDataset } from "@llminit/data";

/**
 * Refuses, before any encoding, a run whose item texts are mostly empty (more than
 * {@link MAX_EMPTY_TEXT_SHARE}): a misspelt `--text-template` field, or a dataset without item
 * metadata. The error names `--text-template` with the template's fields that match no item column
 * and the columns that exist, or `--dataset` when there is no item metadata at all. `file:`
 * encoders look vectors up by item id, so their runs are not checked.
 */
export function checkItemTexts(
  prepared: Pick<PreparedDataset, "itemTexts" | "textTemplate" | "itemFields" | "location" | "name">,
  why: string,
): void {
  const items = prepared.itemTexts.length;
  let empty = 0;
  for (const text of prepared.itemTexts) if (text.length === 0) empty++;
  if (items === 0 || empty / items <= MAX_EMPTY_TEXT_SHARE) return;
  const share = `${empty} of ${items} items (${Math.round((100 * empty) / items)} %)`;
  const refused = `${why} needs item text, and more than ${100 * MAX_EMPTY_TEXT_SHARE} % empty is refused`;
  if (prepared.itemFields.length === 0) {
    const where = prepared.location.dir;
    throw new ConfigError(
      "--dataset",
      `${prepared.name} has no item metadata (no .item file in ${where}), so all ${items} item texts are empty: ` +
        `${refused}; add <name>.item (item_id:token plus text columns), use --init none, or give ` +
        `--encoder file:VECTORS.npy`,
    );
  }
  const fields = parseTemplate(prepared.textTemplate).fields;
  const unknown = fields.filter((field) => !prepared.itemFields.includes(field));
  const because =
    unknown.length > 0
      ? `${unknown.map((field) => `{${field}}`).join(", ")} ${unknown.length === 1 ? "is no" : "are no"} item column`
      : "those items have no value in its fields";
  throw new ConfigError(
    "--text-template",
    `"${prepared.textTemplate}" gives an empty text for ${share}: ${because} ` +
      `(item columns: ${prepared.itemFields.join(", ")}); ${refused}`,
  );
}
