import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { RecordingLogger } from "@llminit/core";
import { afterAll, describe, expect, it } from "vitest";
import { acquireFolderLock, LOCK_FILE, readLock } from "./folder-lock.js";
import { checkOutputPath, createFolders } from "./output-path.js";
import { checkRunFolder, freshRunDir, prepareRunFolder } from "./run-folder.js";

const root = mkdtempSync(join(tmpdir(), "llminit-run-folder-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited (a child run to completion). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
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
    writeFileSync(join(full, "config.json"), "{}");
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
    expect(() => checkRunFolder(notes, { overwrite: true })).toThrow(/thesis\.tex but no config\.json/);
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

  it("with overwrite, replaces a previous run's files only once called", async () => {
    const dir = join(root, "previous");
    mkdirSync(join(dir, "checkpoint"), { recursive: true });
    writeFileSync(join(dir, "config.json"), "{}");
    writeFileSync(join(dir, "log.jsonl"), "old\n");
    const folder = await prepareRunFolder(dir, { overwrite: true });
    expect(readdirSync(dir).sort()).toEqual([LOCK_FILE, "checkpoint"]);
    folder.release();
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
