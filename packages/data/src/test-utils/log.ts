import { InteractionLogBuilder } from "../interaction-log.js";
import type { InteractionLog } from "../interaction-log.js";

/** A log from [user, item, rating?, timestamp?] rows. */
export function makeLog(
  rows: [string, string, number?, number?][],
  columns = { rating: true, timestamp: true },
): InteractionLog {
  const builder = new InteractionLogBuilder(columns);
  for (const [u, i, r, t] of rows) builder.add(u, i, r, t);
  return builder.build();
}

/** Rows of a log as "user:item" strings with original ids. */
export function pairs(log: InteractionLog): string[] {
  const out: string[] = [];
  for (let k = 0; k < log.length; k++) out.push(`${log.users.idOf(log.user[k])}:${log.items.idOf(log.item[k])}`);
  return out;
}
