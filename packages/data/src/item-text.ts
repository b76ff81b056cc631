import { ConfigError, silentLogger } from "@llminit/core";
import type { Logger, Vocab } from "@llminit/core";
import type { ItemFeatures } from "./interaction-log.js";

/**
 * The largest share of items with an empty text that a run which encodes item text accepts (an LLM
 * init, item cold-start, `llminit encode`): above it, most LLM vectors are the encoding of "" (the
 * same row for every such item), so nothing can be learnt from them. Up to it, the empty texts are
 * counted in one warning.
 */
export const MAX_EMPTY_TEXT_SHARE = 0.5;

/** A parsed text template: literal text around `{field}` placeholders. */
export interface TextTemplate {
  /** Text before the first placeholder. */
  prefix: string;
  fields: string[];
  /** `separators[i]` sits between `fields[i]` and `fields[i + 1]`. */
  separators: string[];
  /** Text after the last placeholder. */
  suffix: string;
}

/** Parses "{title}. {categories}. {brand}"; `{{` and `}}` are literal braces. */
export function parseTemplate(template: string): TextTemplate {
  const literals: string[] = [];
  const fields: string[] = [];
  let literal = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if ((c === "{" || c === "}") && template[i + 1] === c) {
      literal += c;
      i++;
    } else if (c === "{") {
      const close = template.indexOf("}", i);
      const name = close < 0 ? "" : template.slice(i + 1, close).trim();
      if (close < 0 || name.length === 0 || name.includes("{"))
        throw new ConfigError("textTemplate", `bad placeholder at character ${i + 1} of "${template}"`);
      literals.push(literal);
      literal = "";
      fields.push(name);
      i = close;
    } else if (c === "}") {
      throw new ConfigError("textTemplate", `unmatched "}" at character ${i + 1} of "${template}"`);
    } else {
      literal += c;
    }
  }
  literals.push(literal);
  if (fields.length === 0) throw new ConfigError("textTemplate", `"${template}" has no {field} placeholder`);
  return { prefix: literals[0], fields, separators: literals.slice(1, -1), suffix: literals[literals.length - 1] };
}

/**
 * Fills a template from one item's features. Values are whitespace-normalised. A missing or
 * empty field is dropped together with the separator before it (after it, for the first
 * field), so "{title}. {categories}. {brand}" without categories gives "title. brand", never
 * "title. . brand" or "undefined". A separator's leading punctuation is not doubled when the
 * value already ends with it ("Pens." + ". " → "Pens. "). No field present → "".
 */
export function renderItemText(template: TextTemplate, features: Readonly<Record<string, string>> | undefined): string {
  let out = "";
  let any = false;
  for (let f = 0; f < template.fields.length; f++) {
    const value = (features?.[template.fields[f]] ?? "").replace(/\s+/g, " ").trim();
    if (value.length === 0) continue;
    if (any) {
      let separator = template.separators[f - 1];
      if (separator.length > 0 && /[.,;:!?]/.test(separator[0]) && out.endsWith(separator[0]))
        separator = separator.slice(1);
      out += separator;
    }
    out += value;
    any = true;
  }
  if (!any) return "";
  let suffix = template.suffix;
  if (suffix.length > 0 && /[.,;:!?]/.test(suffix[0]) && out.endsWith(suffix[0])) suffix = suffix.slice(1);
  return (template.prefix + out + suffix).trim();
}

/**
 * One text per item of `items` (aligned with its indices). Items without features or with
 * none of the template's fields get "" — their number is logged as a warning.
 */
export function buildItemTexts(
  items: Vocab,
  features: ItemFeatures,
  template: string | TextTemplate,
  logger: Logger = silentLogger,
): string[] {
  const parsed = typeof template === "string" ? parseTemplate(template) : template;
  const texts = new Array<string>(items.size);
  let noFeatures = 0;
  let empty = 0;
  for (let i = 0; i < items.size; i++) {
    const record = features.get(items.idOf(i));
    if (record === undefined) noFeatures++;
    texts[i] = renderItemText(parsed, record);
    if (texts[i].length === 0) empty++;
  }
  if (empty > 0) {
    logger.log("warn", `${empty} of ${items.size} item(s) have an empty text (${noFeatures} without any metadata)`, {
      empty,
      noFeatures,
      items: items.size,
    });
  }
  return texts;
}
