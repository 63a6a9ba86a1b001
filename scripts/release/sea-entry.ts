/**
 * Entry point of the standalone executable (a Node single-executable application). The bundle of
 * this file is the script embedded in the binary; the binary sits at the root of its unpacked
 * archive, next to `package.json`, `profiles/`, `templates/`, `examples/` and `node_modules/`.
 *
 * `./sea-env.js` must stay the first import: ES modules run in import order, so the package root is
 * known before any cto module asks for it.
 */
import "./sea-env.js";
import "../../cli/bin.js";
