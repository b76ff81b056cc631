import type { EpochRecord } from "@llminit/models";
import type { DroppedFile } from "./parse-files.js";
import type { DemoInit } from "./experiment.js";

/** Page → worker. */
export type ToWorker =
  | {
      type: "start";
      source: { kind: "synthetic" } | { kind: "files"; files: DroppedFile[] };
      backend: string;
      /** At most this many epochs (default: the demo's configuration). */
      epochs?: number;
    }
  | { type: "recommend"; user: number };

/** A user the visitor can pick, with what they interacted with in training. */
export interface DemoUser {
  index: number;
  id: string;
  trainTitles: string[];
}

/** Worker → page. */
export type FromWorker =
  | { type: "status"; text: string }
  | {
      type: "data";
      name: string;
      users: number;
      items: number;
      interactions: number;
      threads: number;
      crossOriginIsolated: boolean;
    }
  | { type: "encoded"; seconds: number; itemsPerSecond: number; backend: string }
  | { type: "epoch"; init: DemoInit; record: EpochRecord }
  | {
      type: "trained";
      results: Record<
        DemoInit,
        { bestEpoch: number; epochsRun: number; secondsPerEpoch: number; test: Record<string, number>; backend: string }
      >;
      users: DemoUser[];
    }
  | { type: "recommendations"; user: number; lists: Record<DemoInit, { title: string; hit: boolean }[]> }
  | { type: "error"; message: string };
