import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { RecordingLogger } from "@llminit/core";
import { afterAll, describe, expect, it } from "vitest";
import { acquireFolderLock, LOCK_FILE, readLock } from "./folder-lock.js";
import { checkOutputPath, createFolders } from "./output-path.js";
import { checkRunFolder, freshRunDir, prepareRunFolder, stagingDir } from "./run-folder.js";

const root = mkdtempSync(join(tmpdir(), "llminit-run-folder-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited (a child run to completion). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

const RUN_CONFIG = JSON.stringify({ dataset: "ml-100k", "data-dir": "/data", epochs: 3 });

/** A finished run's folder at `dir` (config.json, log.jsonl with `log`, metrics.json, checkpoint/). */
function writeRun(dir: string, log: string): string {
  mkdirSync(join(dir, "checkpoint"), { recursive: true });
  writeFileSync(join(dir, "config.json"), RUN_CONFIG);
  writeFileSync(join(dir, "log.jsonl"), `${log}\n`);
  writeFileSync(join(dir, "metrics.json"), "{}");
  writeFileSync(join(dir, "checkpoint", "item.npy"), "x");
  return dir;
}

function writeLock(dir: string, holder: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder));
}

describe("checkRunFolder", () => {
  it("accepts a new or empty folder and refuses one that holds files, naming --overwrite and --resume", () => {
    expect(() => checkRunFolder(join(root, "new"))).not.toThrow();
    expect(existsSync(join(root, "new"))).toBe(false);
    mkdirSync(join(root, "empty"));
    expect(() => checkRunFolder(join(root, "empty"))).not.toThrow();
    const full = join(root, "full");
    mkdirSync(full);
    writeFileSync(join(full, "config.json"), RUN_CONFIG);
    expect(() => checkRunFolder(full)).toThrow(
      /full is not empty \(config\.json\): give --overwrite .* --resume .*full/,
    );
    expect(() => checkRunFolder(full, { overwrite: true })).not.toThrow();
    expect(() => checkRunFolder(full, { resume: true })).not.toThrow();
  });

  it("overwrites only run folders, and names a file in the way", () => {
    const notes = join(root, "notes");
    mkdirSync(notes);
    writeFileSync(join(notes, "thesis.tex"), "precious");
    expect(() => checkRunFolder(notes, { overwrite: true })).toThrow(
      /notes is not an llminit run folder: it holds thesis\.tex, which no llminit run writes; --overwrite replaces/,
    );
    // A config.json alone does not make a run folder: the other entries and its keys count too.
    writeFileSync(join(notes, "config.json"), RUN_CONFIG);
    expect(() => checkRunFolder(notes, { overwrite: true })).toThrow(/it holds thesis\.tex, which no llminit run/);
    const project = join(root, "project");
    mkdirSync(project);
    writeFileSync(join(project, "config.json"), '{"name": "my-app", "version": "1.0.0"}');
    expect(() => checkRunFolder(project, { overwrite: true })).toThrow(
      /project is not an llminit run folder: its config\.json has keys that are no run option \(name, version\)/,
    );
    writeFileSync(join(project, "config.json"), "[1, 2]");
    expect(() => checkRunFolder(project, { overwrite: true })).toThrow(/its config\.json is not a JSON object/);
    writeFileSync(join(root, "a-file"), "x");
    expect(() => checkRunFolder(join(root, "a-file"))).toThrow(/option "--out": .*a-file is a file, not a folder/);
    expect(() => checkRunFolder(join(root, "a-file", "run"))).toThrow(/cannot create .*run: .*a-file is a file/);
  });
});

describe("prepareRunFolder and its lock", () => {
  it("creates the folder under a lock that stops a second writer until released", async () => {
    const dir = join(root, "locked", "run");
    const folder = await prepareRunFolder(dir, { command: "llminit run" });
    expect(existsSync(join(dir, "checkpoint"))).toBe(true);
    const holder = readLock(dir);
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: "llminit run" });
    await expect(prepareRunFolder(dir)).rejects.toThrow(
      new RegExp(`run is in use by llminit run \\(pid ${process.pid} on .*\\); wait for it to finish`),
    );
    expect(() => checkRunFolder(dir, { overwrite: true })).toThrow(/is in use by llminit run/);
    folder.release();
    folder.release();
    expect(readdirSync(dir)).toEqual(["checkpoint"]);
    const again = await prepareRunFolder(dir);
    again.release();
  });

  it("takes over a lock whose process is gone, with a warning", async () => {
    const dir = join(root, "stale");
    const pid = deadPid();
    writeLock(dir, { pid, host: hostname(), command: "llminit run", started: "then", token: "old" });
    const logger = new RecordingLogger();
    const folder = await prepareRunFolder(dir, { logger });
    expect(logger.records.map((r) => r.message).join("\n")).toMatch(
      new RegExp(`took over a stale lock: llminit run \\(pid ${pid} .*is no longer running`),
    );
    expect(readLock(dir)).toMatchObject({ pid: process.pid });
    folder.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("refuses a lock from another machine or one it cannot read, saying how to clear it", () => {
    const remote = join(root, "remote");
    writeLock(remote, { pid: 1, host: "elsewhere", command: "llminit run", started: "now", token: "t" });
    expect(() => acquireFolderLock(remote, { command: "x" })).toThrow(
      /in use by llminit run \(pid 1 on elsewhere.*another machine: delete .*\.llminit\.lock if it has stopped/,
    );
    const garbled = join(root, "garbled");
    mkdirSync(garbled);
    writeFileSync(join(garbled, LOCK_FILE), "");
    expect(() => acquireFolderLock(garbled, { command: "x" })).toThrow(/is not a lock this version can read/);
  });

  it("with overwrite, writes the new run beside the previous one, which survives until commit", async () => {
    const dir = writeRun(join(root, "previous"), "old");
    const folder = await prepareRunFolder(dir, { overwrite: true });
    expect(folder.staged).toBe(true);
    expect(folder.dir).toBe(stagingDir(dir));
    expect(folder.finalDir).toBe(dir);
    await folder.writeJson("config.json", { dataset: "new" });
    folder.appendLog({ epoch: 1 });
    // A kill now leaves the previous run whole (and the unfinished new one beside it).
    expect(readFileSync(join(dir, "log.jsonl"), "utf8")).toBe("old\n");
    expect(readFileSync(join(dir, "metrics.json"), "utf8")).toBe("{}");
    await folder.commit();
    expect(folder.dir).toBe(dir);
    expect(existsSync(stagingDir(dir))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([LOCK_FILE, "checkpoint", "config.json", "log.jsonl"]);
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))).toEqual({ dataset: "new" });
    expect(readdirSync(root).filter((name) => name.startsWith("previous."))).toEqual([]);
    folder.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("keeps what is no run's entry when the replaced folder gained it meanwhile", async () => {
    const dir = writeRun(join(root, "gained"), "old");
    const logger = new RecordingLogger();
    const folder = await prepareRunFolder(dir, { overwrite: true, logger });
    writeFileSync(join(dir, "notes.txt"), "written during the run");
    await folder.writeJson("config.json", { dataset: "new" });
    await folder.commit();
    folder.release();
    const aside = readdirSync(root).filter((name) => name.startsWith("gained.llminit-old"));
    expect(aside).toHaveLength(1);
    expect(readdirSync(join(root, aside[0]))).toEqual(["notes.txt"]);
    expect(logger.records.map((r) => r.message).join("\n")).toMatch(/kept notes\.txt of the replaced run's folder/);
  });

  it("resumes an interrupted overwrite in its staging folder and then replaces the previous run", async () => {
    const dir = writeRun(join(root, "interrupted"), "old");
    const first = await prepareRunFolder(dir, { overwrite: true });
    await first.writeJson("config.json", { dataset: "new" });
    first.release(); // killed: the previous run is intact, the new one unfinished beside it
    expect(readFileSync(join(dir, "log.jsonl"), "utf8")).toBe("old\n");
    const resumed = await prepareRunFolder(stagingDir(dir), { resume: true });
    expect(resumed.finalDir).toBe(dir);
    await resumed.commit();
    resumed.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, "config.json"), "utf8"))).toEqual({ dataset: "new" });
    expect(existsSync(stagingDir(dir))).toBe(false);
  });

  it("commits into the place of a previous run that was moved away meanwhile", async () => {
    const dir = writeRun(join(root, "moved"), "old");
    const folder = await prepareRunFolder(dir, { overwrite: true });
    await folder.writeJson("config.json", { dataset: "new" });
    rmSync(dir, { recursive: true });
    await folder.commit();
    folder.release();
    expect(readdirSync(dir).sort()).toEqual(["checkpoint", "config.json"]);
  });

  it("replaces the unfinished run of an interrupted overwrite when overwriting again", async () => {
    const dir = writeRun(join(root, "again"), "old");
    (await prepareRunFolder(dir, { overwrite: true })).release();
    writeRun(stagingDir(dir), "unfinished");
    const logger = new RecordingLogger();
    const folder = await prepareRunFolder(dir, { overwrite: true, logger });
    expect(logger.records.map((r) => r.message).join("\n")).toMatch(/replacing the unfinished run of an interrupted/);
    expect(existsSync(join(folder.dir, "log.jsonl"))).toBe(false);
    folder.release();
    // Something else in the staging folder's place is never removed.
    mkdirSync(join(root, "other"));
    writeFileSync(join(root, "other", "config.json"), RUN_CONFIG);
    mkdirSync(stagingDir(join(root, "other")));
    writeFileSync(join(stagingDir(join(root, "other")), "mine.txt"), "x");
    expect(() => checkRunFolder(join(root, "other"), { overwrite: true })).toThrow(
      /other\.llminit-new is in the way: --overwrite writes the new run there/,
    );
  });

  it("leaves no folder behind when it cannot take the folder", async () => {
    const parent = join(root, "parent");
    const dir = join(parent, "child");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "data.txt"), "x");
    await expect(prepareRunFolder(dir)).rejects.toThrow(/not empty/);
    expect(readFileSync(join(dir, "data.txt"), "utf8")).toBe("x");
    expect(readdirSync(dir)).toEqual(["data.txt"]);
    writeFileSync(join(root, "blocker"), "");
    expect(() => createFolders("--out", join(root, "blocker", "a", "b"))).toThrow(/blocker is a file|not a folder/);
  });
});

describe("paths", () => {
  it("checks an output path without creating it, and picks a fresh default folder", () => {
    expect(() => checkOutputPath("--out", join(root, "x", "y", "z.npy"), "file")).not.toThrow();
    expect(existsSync(join(root, "x"))).toBe(false);
    mkdirSync(join(root, "taken"));
    expect(() => checkOutputPath("--out", join(root, "taken"), "file")).toThrow(/is a folder; give the path of a file/);
    expect(freshRunDir(join(root, "taken"))).toBe(join(root, "taken-2"));
    expect(freshRunDir(join(root, "untaken"))).toBe(join(root, "untaken"));
  });
});
