/**
 * The kernels module imports a shared memory (so worker threads can share it). Where no shared memory can be
 * made (a page that is not cross-origin isolated), the same code runs on one thread in a plain memory: this
 * returns a copy of the module whose memory import is not shared (the flag bit of the import's limits cleared).
 * The kernels use no atomic instructions, so nothing else changes. Bytes without a shared memory import are
 * returned as they are.
 */
export function withUnsharedMemoryImport(bytes: Uint8Array): Uint8Array {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new Error("kernels: not a WebAssembly module");
  let pos = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[pos++];
      if (byte === undefined) throw new Error("kernels: truncated WebAssembly module");
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
    }
  };
  const skipLimits = (): void => {
    const flags = bytes[pos++];
    leb();
    if ((flags & 1) !== 0) leb();
  };
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = leb();
    const end = pos + size;
    if (id !== 2) {
      pos = end;
      continue;
    }
    const count = leb();
    for (let n = 0; n < count; n++) {
      const moduleName = leb();
      pos += moduleName;
      const fieldName = leb();
      pos += fieldName;
      const kind = bytes[pos++];
      if (kind === 0) leb();
      else if (kind === 1) {
        pos++; // reference type
        skipLimits();
      } else if (kind === 2) {
        const flagsAt = pos;
        const flags = bytes[pos];
        if ((flags & 2) === 0) return bytes;
        const copy = bytes.slice();
        copy[flagsAt] = flags & ~2;
        return copy;
      } else if (kind === 3)
        pos += 2; // value type, mutability
      else if (kind === 4) {
        pos++; // tag attribute
        leb();
      } else throw new Error(`kernels: unknown import kind ${kind} in the WebAssembly module`);
    }
    return bytes;
  }
  return bytes;
}
