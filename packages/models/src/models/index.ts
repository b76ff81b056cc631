import type { ModelDefinition } from "../model-definition.js";
import { lightgcn } from "./lightgcn.js";
import { mf } from "./mf.js";
import { sgcl } from "./sgcl.js";
import { sgl } from "./sgl.js";
import { simgcl } from "./simgcl.js";
import { xsimgcl } from "./xsimgcl.js";

/** Every model `--model` can name, in the order `llminit models` lists them. Add a model here. */
export const MODELS: readonly ModelDefinition[] = [lightgcn, mf, sgl, sgcl, simgcl, xsimgcl];
