// Bundles every entry in src/ (one per page family) into webapp/static/dist/.
// Fonts and images referenced by the libraries' CSS are copied next to the bundles.
import { build } from "esbuild";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entries = readdirSync(join(here, "src"))
  .filter((name) => name.endsWith(".js") && !name.startsWith("_"))
  .map((name) => join(here, "src", name));

await build({
  entryPoints: entries,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "iife",
  target: ["es2020"],
  outdir: join(here, "..", "webapp", "static", "dist"),
  loader: { ".woff": "file", ".woff2": "file", ".ttf": "file", ".eot": "file", ".svg": "file", ".png": "file" },
  logLevel: "warning",
  legalComments: "linked",
});
console.log(`built ${entries.length} bundle(s)`);
