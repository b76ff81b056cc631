import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { encodeNpyHeader } from "@llminit/core";

/** A float32 `.npy` matrix written row by row, in any order, without holding it in memory. */
export interface NpyRowWriter {
  readonly path: string;
  /** Writes row `row` (its `cols` values). */
  write(row: number, values: Float32Array): Promise<void>;
  /** Writes the last rows, checks that every row was written, and renames the file into place. */
  close(): Promise<void>;
  /** Removes the temporary file (after a failure). */
  abort(): Promise<void>;
}

/** Rows written together when they follow one another (one write call per run of rows, up to this many bytes). */
const STAGE_BYTES = 1 << 20;

/**
 * Opens a temporary sibling of `path` for a rows × cols float32 `.npy` matrix (little-endian;
 * the header first, rows at their offsets). Nothing appears at `path` until {@link
 * NpyRowWriter.close} has checked that every row was written: a killed process leaves at most
 * the temporary file, never half a matrix under the final name.
 */
export async function createNpyRowWriter(path: string, rows: number, cols: number): Promise<NpyRowWriter> {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0)
    throw new RangeError(`npy row writer: bad shape ${rows} × ${cols}`);
  // Rows are copied byte for byte: the file says little-endian.
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1)
    throw new RangeError("npy row writer: this machine is big-endian; use writeNpy");
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const header = encodeNpyHeader("float32", [rows, cols]);
  const rowBytes = 4 * cols;
  const handle: FileHandle = await open(temporary, "w");
  await handle.write(header, 0, header.length, 0);
  const written = new Uint8Array(rows);
  let missing = rows;
  // Consecutive rows are staged and written in one call.
  const stage = Buffer.alloc(Math.max(rowBytes, Math.floor(STAGE_BYTES / Math.max(rowBytes, 1)) * rowBytes));
  let stageFirst = -1;
  let stageRows = 0;
  const flush = async () => {
    if (stageRows === 0) return;
    await handle.write(stage, 0, stageRows * rowBytes, header.length + stageFirst * rowBytes);
    stageRows = 0;
    stageFirst = -1;
  };
  let closed = false;
  return {
    path,
    async write(row, values) {
      if (closed) throw new Error(`npy row writer ${path}: already closed`);
      if (!Number.isInteger(row) || row < 0 || row >= rows)
        throw new RangeError(`npy row writer ${path}: row ${row} outside [0, ${rows})`);
      if (values.length !== cols)
        throw new RangeError(`npy row writer ${path}: row ${row} has ${values.length} values, expected ${cols}`);
      if (stageRows > 0 && (row !== stageFirst + stageRows || (stageRows + 1) * rowBytes > stage.length)) await flush();
      if (stageRows === 0) stageFirst = row;
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      stage.set(bytes, stageRows * rowBytes);
      stageRows++;
      if (written[row] === 0) {
        written[row] = 1;
        missing--;
      }
    },
    async close() {
      if (closed) return;
      try {
        await flush();
        if (missing > 0) {
          const first = written.indexOf(0);
          throw new RangeError(
            `npy row writer ${path}: ${missing} of ${rows} rows never written (first: row ${first})`,
          );
        }
        await handle.sync();
        await handle.close();
        closed = true;
        await rename(temporary, path);
      } catch (error) {
        closed = true;
        await handle.close().catch(() => undefined);
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async abort() {
      if (!closed) {
        closed = true;
        await handle.close().catch(() => undefined);
      }
      await rm(temporary, { force: true });
    },
  };
}
