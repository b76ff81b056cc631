import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";

/** A package tarball as `pnpm pack` wrote it, with its manifest. */
export interface PackedPackage {
  name: string;
  version: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  manifest: Record<string, unknown>;
}

/** A registry serving our packed packages on 127.0.0.1; point a scope at `url` in the project's .npmrc. */
export interface LocalRegistry {
  /** Base URL, ending in "/". */
  url: string;
  /** Requests answered so far ("GET /@llminit%2fcore 200"), for failure messages. */
  log: string[];
  close(): Promise<void>;
}

/**
 * The files of a .tgz as npm and pnpm write them (ustar, GNU long names), by path without the leading
 * "package/".
 */
export function readTarball(tgz: string): Map<string, Buffer> {
  const tar = gunzipSync(readFileSync(tgz));
  const files = new Map<string, Buffer>();
  const text = (bytes: Buffer) => bytes.toString("utf8").replace(/\0.*$/s, "");
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = Number.parseInt(text(header.subarray(124, 136)).trim() || "0", 8);
    const type = text(header.subarray(156, 157));
    const prefix = text(header.subarray(345, 500));
    const name = longName ?? (prefix === "" ? "" : `${prefix}/`) + text(header.subarray(0, 100));
    const body = Buffer.from(tar.subarray(offset + 512, offset + 512 + size));
    longName = undefined;
    if (type === "L") longName = text(body);
    else if (type === "0" || type === "") files.set(name.replace(/^package\//, ""), body);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** The manifest (package.json) of a packed tarball. */
export function readPackedPackage(tarball: string): PackedPackage {
  const bytes = readTarball(tarball).get("package.json");
  if (bytes === undefined) throw new Error(`${tarball} has no package/package.json`);
  const manifest = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  return { name: String(manifest.name), version: String(manifest.version), tarball, manifest };
}

/**
 * Starts a minimal npm registry on 127.0.0.1 (a free port) that knows only `packages`: `GET /<name>` answers the
 * packument (one version, with the tarball's sha1 and sha512), `GET /-/<file>.tgz` the tarball. npm, pnpm and
 * yarn install a scope from it with `@scope:registry=<url>` in `.npmrc`, exactly as from the public registry.
 */
export async function startLocalRegistry(packages: readonly PackedPackage[]): Promise<LocalRegistry> {
  const log: string[] = [];
  const byName = new Map(packages.map((p) => [p.name, p]));
  const byFile = new Map(packages.map((p) => [basename(p.tarball), p]));
  let base = "";
  const server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? "/").split("?")[0]);
    let status = 404;
    try {
      if (request.method === "GET" || request.method === "HEAD") {
        const file = path.startsWith("/-/") ? byFile.get(path.slice(3)) : undefined;
        const pkg = byName.get(path.slice(1));
        if (file !== undefined) {
          const bytes = readFileSync(file.tarball);
          status = 200;
          response.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
          response.end(request.method === "HEAD" ? undefined : bytes);
        } else if (pkg !== undefined) {
          const bytes = readFileSync(pkg.tarball);
          const version = {
            ...pkg.manifest,
            _id: `${pkg.name}@${pkg.version}`,
            dist: {
              tarball: `${base}-/${basename(pkg.tarball)}`,
              shasum: createHash("sha1").update(bytes).digest("hex"),
              integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
            },
          };
          const body = JSON.stringify({
            name: pkg.name,
            "dist-tags": { latest: pkg.version },
            versions: { [pkg.version]: version },
            time: { [pkg.version]: new Date(0).toISOString() },
          });
          status = 200;
          response.writeHead(200, { "content-type": "application/json" });
          response.end(request.method === "HEAD" ? undefined : body);
        }
      }
      if (status === 404) {
        response.writeHead(404, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: "not found" }));
      }
    } catch (error) {
      status = 500;
      response.writeHead(500);
      response.end(String(error));
    }
    log.push(`${request.method} ${path} ${status}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url: base,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
