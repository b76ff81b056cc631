import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** A running static file server. */
export interface StaticServer {
  url: string;
  /** Paths requested so far, with their status ("200 /main.js"). */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves the files of `root` on 127.0.0.1 (never another interface), `port` 0 = a free one. With `isolated`, adds
 * the headers that make the page cross-origin isolated (Cross-Origin-Opener-Policy: same-origin,
 * Cross-Origin-Embedder-Policy: require-corp), so that it gets SharedArrayBuffer and the kernels run threads.
 */
export async function startStaticServer(
  root: string,
  options: { port?: number; isolated?: boolean } = {},
): Promise<StaticServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) file = "";
    if (file !== "" && existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    const headers: Record<string, string> = { "cache-control": "no-store" };
    if (options.isolated === true) {
      headers["cross-origin-opener-policy"] = "same-origin";
      headers["cross-origin-embedder-policy"] = "require-corp";
      headers["cross-origin-resource-policy"] = "same-origin";
    }
    if (file === "" || !existsSync(file) || (request.method !== "GET" && request.method !== "HEAD")) {
      requests.push(`404 ${path}`);
      response.writeHead(404, { ...headers, "content-type": "text/plain" });
      response.end("not found");
      return;
    }
    requests.push(`200 ${path}`);
    response.writeHead(200, {
      ...headers,
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": statSync(file).size,
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
