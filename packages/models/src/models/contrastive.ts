import type { Blocks, ModelBatch, Rows, Term } from "../model-definition.js";

/** The batch's distinct users and distinct positive items: the anchors of the models' InfoNCE terms. */
export interface Anchors {
  /** Node ids, the users then the items. */
  readonly nodes: Int32Array;
  /** User ids (= node ids). */
  readonly users: Int32Array;
  /** Item ids (item i is node `users + i`). */
  readonly items: Int32Array;
}

/** The anchors of `batch` (SGL's, SimGCL's, XSimGCL's InfoNCE terms). */
export function anchorsOf(b: Blocks, batch: ModelBatch): Anchors {
  const users = batch.distinctUsers();
  const items = batch.distinctItems();
  const nodes = new Int32Array(users.length + items.length);
  nodes.set(users);
  for (let k = 0; k < items.length; k++) nodes[users.length + k] = b.users + items[k];
  return { nodes, users, items };
}

/**
 * `InfoNCE(users) + InfoNCE(items)` between two views of the anchors (rows in `anchors.nodes`
 * order), each anchor's own row of the other view its positive and the other anchors of its type
 * the negatives.
 */
export function anchorsInfoNce(b: Blocks, first: Rows, second: Rows, anchors: Anchors, temperature: number): Term {
  const nu = anchors.users.length;
  const ni = anchors.items.length;
  return b.sum(
    b.infoNce(b.slice(first, 0, nu), b.slice(second, 0, nu), { temperature }),
    b.infoNce(b.slice(first, nu, ni), b.slice(second, nu, ni), { temperature }),
  );
}
