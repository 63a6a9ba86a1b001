/**
 * Tells cto's modules where the package files are when running as the standalone executable:
 * the directory of the executable itself (`config/paths.ts` honours `CTO_PACKAGE_ROOT`).
 * A value the user set wins, so a moved install can point elsewhere.
 */
import path from "node:path";

if (!process.env.CTO_PACKAGE_ROOT) process.env.CTO_PACKAGE_ROOT = path.dirname(process.execPath);
