// `pnpm --filter @llminit/demo serve [--isolated] [--port N]`: serves the built demo (dist/) on 127.0.0.1. Any
// static file server works as well; --isolated sends the cross-origin isolation headers (threads).
import { fileURLToPath } from "node:url";
import { startStaticServer } from "./static-server.js";

const args = process.argv.slice(2);
const portIndex = args.indexOf("--port");
const server = await startStaticServer(fileURLToPath(new URL("../dist/", import.meta.url)), {
  port: portIndex >= 0 ? Number(args[portIndex + 1]) : 8080,
  isolated: args.includes("--isolated"),
});
process.stdout.write(`LLMInit demo at ${server.url} (Ctrl-C stops it)\n`);
