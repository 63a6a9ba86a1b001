/**
 * Tells cto's modules where the package files are when running as the standalone executable:
 * the directory of the executable itself (`config/paths.ts` honours `CTO_PACKAGE_ROOT`).
 * A value the user set wins, so a moved install can point elsewhere.
 *
 * The executable renders help itself: the recorded help texts (cli/help-cache.ts) describe the
 * modules of an npm-style `dist/`, and a `CTO_PACKAGE_ROOT` pointing at another install's files
 * must not make it print that install's help.
 */
import path from "node:path";

if (!process.env.CTO_PACKAGE_ROOT) process.env.CTO_PACKAGE_ROOT = path.dirname(process.execPath);
process.env.CTO_NO_HELP_CACHE = "1";
